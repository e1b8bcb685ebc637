export { Orchestrator, type OrchestratorOptions } from "./orchestrator.ts";
export { CommandHandler } from "./command-handler.ts";
export { RunSupervisor, DEFAULT_TIMINGS, type SupervisorTimings } from "./run-supervisor.ts";
export { planRun, splitProportionally, type Plan } from "./planner.ts";
export { writeRoutes, type WriteRoutesDeps } from "./routes.ts";
