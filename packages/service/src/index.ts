/** @loadline/service: what every service process shares. HTTP helpers and errors, ops endpoints, logs, config. */
export { type Config, loadConfig } from "./config.ts";
export { HttpError, httpErrorOf, jsonBody, ID_PATTERN, tenantOf, query, installErrorHandler } from "./http.ts";
export { createLogger, type Logger } from "./log.ts";
export { createRegistry, opsRoutes, listen, runUntilSignal } from "./ops.ts";
