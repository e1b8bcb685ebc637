import { randomUUID } from "node:crypto";
import type { TlsOptions } from "@loadline/core";
import { failureKindOf } from "../transport/failure-kind.ts";
import type { SessionCookies } from "./cookies.ts";
import { type RequestRecord, type Transport, TransportFailure, type TransportFailureKind } from "./transport.ts";
import { compileUrl, resolveDynamicUrl, type Target, type UrlPlan } from "./url.ts";
import { BUILTIN_SLOT, compileText, renderComposite, renderText, type Text, type VariableTable } from "./variables.ts";

/** What a streaming step runs with: the VU's variables and cookies, the thread's transport, the stop. */
export type StreamStepRun = {
  readonly values: string[];
  readonly cookies: SessionCookies;
  readonly transport: Transport;
  readonly signal: AbortSignal;
  readonly record: (r: RequestRecord) => void;
  /** The step is the iteration's first send (open executors measure it from the intended start). */
  readonly first: boolean;
};

/** A rendered connection target: origin, path and query, headers (the VU's cookies merged in). */
export type StreamRequest = { origin: string; path: string; headers: Record<string, string> };

/** A streaming step's url and headers, compiled once: the request step's rules (a path on the target or an http(s) URL). */
export class StreamTarget {
  private readonly url: UrlPlan;
  private readonly headers: readonly (readonly [string, Text])[];

  /** `refs` collects the slots its templates read; `tls`: the certificates its connection trusts (the step's, else the test's). */
  constructor(
    url: string,
    headers: Readonly<Record<string, string>> | undefined,
    target: Target,
    table: VariableTable,
    refs: Set<number>,
    readonly tls?: TlsOptions,
  ) {
    this.url = compileUrl(url, undefined, target, table, refs);
    this.headers = Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), compileText(value, table, refs)] as const);
  }

  /** Throws when the url renders to no http(s) URL. */
  render(values: readonly string[], cookies: SessionCookies): StreamRequest {
    const { origin, path } =
      this.url.origin !== null
        ? { origin: this.url.origin, path: renderComposite(this.url.path, values) }
        : resolveDynamicUrl(this.url, values);
    const headers: Record<string, string> = {};
    for (const [name, value] of this.headers) headers[name] = renderText(value, values);
    const cookie = cookies.header(origin + path);
    if (cookie !== "") headers["cookie"] = headers["cookie"] ? `${headers["cookie"]}; ${cookie}` : cookie;
    return { origin, path, headers };
  }
}

/** Sets the per-step built-ins a step's templates (`refs`) read, as a request step has them set just before it renders. */
export function builtinsSetter(refs: ReadonlySet<number>): (values: string[]) => void {
  const timestamp = refs.has(BUILTIN_SLOT.timestamp);
  const uuid = refs.has(BUILTIN_SLOT.uuid);
  return (values) => {
    if (timestamp) values[BUILTIN_SLOT.timestamp] = String(Date.now());
    if (uuid) values[BUILTIN_SLOT.uuid] = randomUUID();
  };
}

/** One record of a streaming step: a connection, an expected message, an event. */
export function streamRecord(
  name: string,
  method: "WS" | "SSE" | "GRPC",
  sentAt: number,
  endedAt: number,
  status: number | null,
  failure: RequestRecord["failure"],
  checks: { passed: number; failed: number },
  firstOfIteration: boolean,
): RequestRecord {
  return {
    name,
    method,
    sentAt,
    endedAt,
    status,
    failure,
    bytesIn: 0,
    bytesOut: 0,
    checksPassed: checks.passed,
    checksFailed: checks.failed,
    firstOfIteration,
  };
}

/** The record of a wait the stop cut short: counted as interrupted only. */
export const interruptedRecord = (name: string, method: "WS" | "SSE" | "GRPC", sentAt: number, first: boolean): RequestRecord => ({
  ...streamRecord(name, method, sentAt, performance.now(), null, null, NO_CHECKS, first),
  interrupted: true,
});

export const NO_CHECKS = { passed: 0, failed: 0 } as const;

/** The failure kind of an error a streaming step caught: the transport's own, else undici's error read as `failureKindOf` does. */
export const streamFailureKind = (error: unknown, onSocket: boolean): TransportFailureKind =>
  error instanceof TransportFailure ? error.kind : failureKindOf(error, onSocket);
