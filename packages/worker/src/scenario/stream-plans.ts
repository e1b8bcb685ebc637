import type { StreamStep, TlsOptions } from "@loadline/core";
import type { GrpcPlan } from "./grpc-step.ts";
import { SsePlan } from "./sse-step.ts";
import type { Target } from "./url.ts";
import type { VariableTable } from "./variables.ts";
import { WsPlan } from "./ws-step.ts";

/** A compiled ws, sse or grpc step: a connection (or a call) held for the step, run by `run`. */
export type StreamPlan = WsPlan | SsePlan | GrpcPlan;

/** `tls`: the test's certificate trust (its `http.tls`), for a step without its own. */
export const streamPlan = (step: StreamStep, target: Target, table: VariableTable, refs: Set<number>, tls?: TlsOptions): StreamPlan =>
  step.type === "ws" ? new WsPlan(step, target, table, refs, tls) : new SsePlan(step, target, table, refs, tls);
