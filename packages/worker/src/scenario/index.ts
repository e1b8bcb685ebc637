export { CompiledScenario, type CompileOptions } from "./compiled-scenario.ts";
export { VuSession } from "./vu-session.ts";
export { DataFeeder, type DataRow } from "./data-feeder.ts";
export {
  TransportFailure,
  type IncomingResponse,
  type OutgoingRequest,
  type RequestRecord,
  type Transport,
  type TransportFailureKind,
} from "./transport.ts";
export type { Random } from "./think-time.ts";
