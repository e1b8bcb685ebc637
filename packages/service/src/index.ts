/** @loadline/service: what every service process shares. HTTP helpers and errors, ops endpoints, logs, config. */
export { type Config, loadConfig } from "./config.ts";
export { HttpError, httpErrorOf, ID_PATTERN, installErrorHandler, jsonBody, query, tenantOf } from "./http.ts";
export { createLogger, type Logger } from "./log.ts";
export { createRegistry, listen, opsRoutes, runUntilSignal } from "./ops.ts";
