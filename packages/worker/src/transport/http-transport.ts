import type { LookupFunction } from "node:net";
import type { TargetPolicy } from "@loadline/core";
import type { Dispatcher } from "undici";
import {
  type ConnectionProfile,
  type IncomingResponse,
  type OutgoingRequest,
  type PlannedOrigin,
  type Transport,
  TransportFailure,
} from "../scenario/index.ts";
import { GrpcChannels } from "./grpc-channels.ts";
import type { RequestOptions } from "./http1-request.ts";
import { OriginConnections } from "./origin-connections.ts";
import { InFlightList, ResponseCollector } from "./response-collector.ts";
import { StreamConnections } from "./stream-connections.ts";
import { guardedLookup, originRefusal, RefusedOrigin, type Resolver } from "./target-guard.ts";

export { failureKindOf } from "./failure-kind.ts";

export type HttpTransportOptions = {
  /** Keep-alive connections per origin: as many as VUs may send at once. */
  connections: number;
  connectTimeoutMs?: number;
  /**
   * The run's target policy: each origin is checked against it before its first request, and
   * each connection resolves the host itself and connects only to an address it allows (see
   * target-guard.ts); refused requests fail as `blocked`. Absent: no checks (local runs).
   */
  targetPolicy?: TargetPolicy;
  /** How host names are resolved under a target policy: dns.lookup unless a test says otherwise. */
  resolve?: Resolver;
};

/** What the transport keeps per origin: its connections, or its refusal under the target policy. */
type Origin = Pick<OriginConnections, "dispatch" | "allow" | "close" | "openAhead">;

/** What a request is dispatched with, on our connections or undici's. */
function optionsOf(req: OutgoingRequest): RequestOptions {
  return {
    path: req.path,
    method: req.method as Dispatcher.HttpMethod,
    headers: req.headers,
    body: req.body ?? null,
    // Deadlines are ours (armShortTimeout, sweepDeadlines): 0 turns undici's off.
    headersTimeout: 0,
    bodyTimeout: 0,
    head: undefined,
  };
}

/** Below this, a request's timeout is a timer of its own; from it on, the sweep below checks it. */
const SHORT_TIMEOUT_MS = 1000;

/**
 * How often the requests in flight are checked against their deadlines. undici's own headers
 * and body timeouts are off: on every request they swapped the connection's keep-alive timer for a
 * new "fast" timer that stayed in undici's list until its next half-second tick, long enough to
 * reach the old generation: at 20,000 requests/s that was most of what was promoted, and a
 * mark-compact every 3-4 s stalled the loop for 20-40 ms (bench/results/self-noise.md). One
 * sweep of the list instead, up to this late, against undici's up to a second.
 */
const DEADLINE_SWEEP_MS = 250;

/**
 * The Transport of the step runtime's HTTP requests (and its ws, sse and gRPC steps): per origin,
 * up to a keep-alive connection for each VU (OriginConnections: plain HTTP/1.1 over our own
 * Http1Connection, undici Clients where HTTP/2 is offered). A signal that aborts fails its
 * requests in flight at once (the step runtime counts them as interrupted, since it aborted them).
 */
export class HttpTransport implements Transport {
  private readonly origins = new Map<string, Origin>();
  /** The origins of requests with a connection profile (HTTP/2, TLS options), by the profile's key. */
  private readonly profiled = new Map<string, Map<string, Origin>>();
  private readonly inFlight = new InFlightList();
  /** By request, for requests sent again as they are (OutgoingRequest.fixed): a step's one request object. */
  private readonly fixedOptions = new WeakMap<OutgoingRequest, RequestOptions>();
  private sweep: NodeJS.Timeout | undefined;
  /** The ws and sse steps' connections, under the same target policy. */
  readonly streams: StreamConnections;
  /** The grpc steps' channels, under the same target policy. */
  readonly grpc: GrpcChannels;
  /** One listener per signal, not one per request; removed at close (a warm-up's transport watches the run's signal). */
  private readonly watched = new Map<AbortSignal, () => void>();
  private closed = false;

  private connections: number;
  /** The checked lookup every connection makes under a target policy; undefined without one. */
  private readonly lookup: LookupFunction | undefined;

  constructor(private readonly opts: HttpTransportOptions) {
    this.connections = Math.max(1, opts.connections);
    this.lookup = opts.targetPolicy ? guardedLookup(opts.targetPolicy, opts.resolve) : undefined;
    this.streams = new StreamConnections(opts.targetPolicy, this.lookup, opts.connectTimeoutMs ?? 10_000);
    this.grpc = new GrpcChannels(opts.targetPolicy, opts.resolve);
  }

  send(req: OutgoingRequest, signal: AbortSignal): Promise<IncomingResponse> {
    if (this.closed) return Promise.reject(new TransportFailure("reset", "transport closed"));
    if (signal.aborted) return Promise.reject(new TransportFailure("reset", "aborted"));
    if (!this.watched.has(signal)) this.watch(signal);
    const connections = this.originOf(req.origin, req.connection);
    const options = req.fixed ? (this.fixedOptions.get(req) ?? this.optionsOfFixed(req)) : optionsOf(req);
    return new Promise<IncomingResponse>((resolve, reject) => {
      const collector = new ResponseCollector(resolve, reject, performance.now() + req.timeoutMs, this.inFlight, signal, options);
      this.inFlight.add(collector);
      if (req.timeoutMs < SHORT_TIMEOUT_MS) collector.armShortTimeout(req.timeoutMs);
      // Never what keeps a process alive: a request waiting on a socket or a connection does that.
      else this.sweep ??= setInterval(this.sweepDeadlines, DEADLINE_SWEEP_MS).unref();
      connections.dispatch(collector);
    });
  }

  /** The options of a request sent again as it is, and its head with them (Http1Connection): made once. */
  private optionsOfFixed(req: OutgoingRequest): RequestOptions {
    const options = optionsOf(req);
    this.fixedOptions.set(req, options);
    return options;
  }

  /** Lets each origin hold up to `connections` keep-alive connections (never fewer than now). */
  allow(connections: number): void {
    if (connections <= this.connections) return;
    this.connections = connections;
    for (const o of this.allOrigins()) o.allow(connections);
  }

  /**
   * Opens up to `count` connections to each origin before the run (see OriginConnections.openAhead),
   * under the target policy as any connection is: a refused origin opens none. Resolves once all
   * are open, or after `withinMs` (the rest join as they open).
   */
  async openAhead(origins: readonly PlannedOrigin[], count: number, withinMs: number): Promise<void> {
    if (this.closed) return;
    const each = new Set(origins.map(({ origin, connection }) => this.originOf(origin, connection)));
    await Promise.all([...each].map((o) => o.openAhead(count, withinMs)));
  }

  /** Requests now in flight. */
  get pending(): number {
    return this.inFlight.size;
  }

  /** Fails as timeout every request in flight past its deadline (the whole request: waiting for a connection, headers, body). */
  private readonly sweepDeadlines = (): void => {
    for (const c of this.inFlight.pastDeadline(performance.now())) c.cancel(new TransportFailure("timeout", "request timed out"));
  };

  /** Closes every connection; requests still in flight fail as resets. */
  async close(): Promise<void> {
    clearInterval(this.sweep);
    this.closed = true;
    for (const c of this.inFlight.toArray()) c.cancel(new TransportFailure("reset", "transport closed"));
    for (const [signal, onAbort] of this.watched) signal.removeEventListener("abort", onAbort);
    this.watched.clear();
    await Promise.all([
      ...this.allOrigins().map((o) => o.close()),
      this.streams.close().catch(() => undefined),
      this.grpc.close().catch(() => undefined),
    ]);
    this.origins.clear();
    this.profiled.clear();
  }

  /**
   * A signal that aborts fails its requests in flight at once, and closes their sockets on the
   * next turn of the loop: by then the iterations they held have ended and been counted.
   */
  private watch(signal: AbortSignal): void {
    const onAbort = () => {
      this.watched.delete(signal);
      const reason = new TransportFailure("reset", "aborted");
      const onSockets: ResponseCollector[] = [];
      for (const c of this.inFlight.toArray()) if (c.signal === signal && c.interrupt(reason)) onSockets.push(c);
      if (onSockets.length > 0)
        setImmediate(() => {
          for (const c of onSockets) c.abortOnSocket();
        });
    };
    this.watched.set(signal, onAbort);
    signal.addEventListener("abort", onAbort, { once: true });
  }

  private allOrigins(): Origin[] {
    return [...this.origins.values(), ...[...this.profiled.values()].flatMap((m) => [...m.values()])];
  }

  /** The connections to an origin with a profile (or none), made at its first use. */
  private originOf(origin: string, profile: ConnectionProfile | undefined): Origin {
    return profile === undefined
      ? (this.origins.get(origin) ?? this.connectionsTo(origin))
      : (this.profiled.get(profile.key)?.get(origin) ?? this.connectionsTo(origin, profile));
  }

  /** The connections to an origin, under the target policy whatever the profile. */
  private connectionsTo(origin: string, profile?: ConnectionProfile): Origin {
    const policy = this.opts.targetPolicy;
    const refused = policy ? originRefusal(origin, policy) : null;
    const connections = refused
      ? new RefusedOrigin(refused)
      : new OriginConnections(origin, this.connections, this.opts.connectTimeoutMs ?? 10_000, this.lookup, profile);
    if (!profile) this.origins.set(origin, connections);
    else {
      let byOrigin = this.profiled.get(profile.key);
      if (!byOrigin) this.profiled.set(profile.key, (byOrigin = new Map()));
      byOrigin.set(origin, connections);
    }
    return connections;
  }
}
