import type { FailureKind } from "@loadline/core";
import type { GrpcConnector } from "./grpc-connector.ts";
import type { StreamConnector } from "./stream-connector.ts";

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
  /**
   * How its connection is made when not plain HTTP/1.1 with verified certificates (HTTP/2, TLS
   * options): one object for every request of a step. Absent: the default connections.
   */
  connection?: ConnectionProfile;
  /**
   * The same object is sent by every iteration (a step with nothing to render): a transport may
   * keep what it makes of it for the wire.
   */
  fixed?: true;
};

/** An origin a scenario's requests go to, known before the run (its url names it), and how its connections are made. */
export type PlannedOrigin = { origin: string; connection?: ConnectionProfile };

/** A request step's HTTP version and TLS options as the transport reads them (connection-profile.ts). */
export type ConnectionProfile = {
  /** Identifies the options: requests with equal keys share connections. */
  readonly key: string;
  /** Offer HTTP/2 by ALPN (TLS only), and multiplex requests as streams once it is agreed. */
  readonly h2: boolean;
  /** PEM certificates trusted besides the system's. */
  readonly ca?: string;
  readonly insecureSkipVerify: boolean;
};

export type IncomingResponse = {
  status: number;
  /** Names in lower case, as node:http and undici give them. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Body size on the wire when the transport knows it; otherwise the UTF-8 length of `body` is counted. */
  bytes?: number;
  /** The HTTP protocol it came over (`http/1.1`, `h2`) when the transport knows it. */
  protocol?: string;
  /** False when no header sets a cookie: the session then leaves the headers unread (they may be parsed only when read). */
  setsCookies?: boolean;
};

/**
 * `blocked`: the run's target policy refused the host, or every address it resolved to; nothing was sent.
 * `tls`: the TLS handshake failed (a certificate not trusted, expired, or for another name).
 */
export type TransportFailureKind = "connect" | "timeout" | "reset" | "blocked" | "tls";

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
  /** Long-lived connections (ws and sse steps) under the same target policy; absent: unguarded ones (tests, local runs). */
  readonly streams?: StreamConnector;
  /** The grpc steps' channels under the same target policy; absent: a channel per call, unguarded (tests). */
  readonly grpc?: GrpcConnector;
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
  /** The HTTP protocol of its response (`http/1.1`, `h2`); undefined without one. */
  protocol?: string | undefined;
  /** WebSocket messages, SSE events or gRPC response messages received, and messages sent (ws, sse and grpc steps only). */
  messagesIn?: number;
  messagesOut?: number;
};
