import type { FailureKind } from "@loadline/core";

/**
 * One request as the runtime hands it to the transport. Treat it as read-only: a step whose
 * request never changes sends the same object (and headers object) every time.
 */
export type OutgoingRequest = {
  origin: string;
  /** Path and query string. */
  path: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
};

export type IncomingResponse = {
  status: number;
  /** Names in lower case, as node:http and undici give them. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Body size on the wire when the transport knows it; otherwise the UTF-8 length of `body` is counted. */
  bytes?: number;
};

/** `blocked`: the run's target policy refused the host, or every address it resolved to; nothing was sent. */
export type TransportFailureKind = "connect" | "timeout" | "reset" | "blocked";

/** The transport throws this on a transport-level failure. */
export class TransportFailure extends Error {
  readonly kind: TransportFailureKind;

  constructor(kind: TransportFailureKind, message?: string) {
    super(message ?? kind);
    this.name = "TransportFailure";
    this.kind = kind;
  }
}

export interface Transport {
  /**
   * Sends one request; resolves with the full response, or rejects with TransportFailure (or an
   * AbortError when `signal` aborts). It enforces `req.timeoutMs` itself.
   */
  send(req: OutgoingRequest, signal: AbortSignal): Promise<IncomingResponse>;
}

/** One request as it happened, for the metric windows. Times are performance.now() milliseconds. */
export type RequestRecord = {
  /** The step's name, else its url template as written ("/items/{{id}}" groups dynamic URLs). */
  name: string;
  method: string;
  /** When this request was handed to the transport. */
  sentAt: number;
  /** When the response (or failure) was complete. */
  endedAt: number;
  /** Null on a transport failure. */
  status: number | null;
  /** The first that applies: transport kind, "5xx"/"4xx", then "check"; null when it succeeded. */
  failure: FailureKind | null;
  bytesIn: number;
  bytesOut: number;
  checksPassed: number;
  checksFailed: number;
  /** The first request of an iteration: open models measure it from the iteration's intended start. */
  firstOfIteration: boolean;
  /**
   * Set when the stop aborted it in flight (its executor's graceful stop ran out): it is
   * counted as interrupted only, with no latency, status, bytes or failure.
   */
  interrupted?: true;
};
