/** @loadline/service: what every service process shares. HTTP helpers and errors, ops endpoints, logs, config. */

export * from "./auth/index.ts";
export { type Config, loadConfig } from "./config.ts";
export {
  actorOf,
  type ErrorBody,
  errorBody,
  HttpError,
  httpErrorOf,
  ID_PATTERN,
  idParam,
  installErrorHandler,
  jsonBody,
  parseWith,
  query,
  readJson,
  tenantOf,
} from "./http.ts";
export { type JsonInputIssue, jsonInputIssue, MAX_JSON_DEPTH } from "./json-input.ts";
export { type HttpServer, type ListenOptions, listen } from "./listen.ts";
export { createLogger, type Logger } from "./log.ts";
export * from "./openapi/index.ts";
export { createRegistry, opsRoutes, runUntilSignal } from "./ops.ts";
export { loadPlatformDefaults } from "./platform-config.ts";
export {
  ensureKeyFile,
  generateKeyEntry,
  generateKeyFile,
  keyringFromEnv,
  parseKeyring,
  SecretKeyError,
  SecretKeyring,
} from "./secret-box.ts";
export { DEFAULT_MAX_BODY_BYTES, type ServiceAppOptions, serviceApp } from "./service-app.ts";
export {
  type FinishedSpan,
  startInMemoryTracing,
  startTracing,
  type Tracing,
  type TracingOptions,
  tracingConfigured,
} from "./tracing/index.ts";
