/** The run as the console reads it, and the statuses it knows: what the app's tests hold in step with @loadline/core's. */
export { RUN_STATUSES as CONSOLE_RUN_STATUSES, type RunView as ConsoleRunView } from "./app/types.ts";
export { consoleRoutes } from "./console-routes.ts";
