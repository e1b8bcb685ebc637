export { CompiledScenario, type CompileOptions } from "./compiled-scenario.ts";
export { DataFeeder, type DataRow } from "./data-feeder.ts";
export type { Random } from "./think-time.ts";
export {
  type ConnectionProfile,
  type IncomingResponse,
  type OutgoingRequest,
  type PlannedOrigin,
  type RequestRecord,
  type Transport,
  TransportFailure,
  type TransportFailureKind,
} from "./transport.ts";
export { VuSession } from "./vu-session.ts";
