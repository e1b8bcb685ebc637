import type { LookupFunction, Socket } from "node:net";
import { rootCertificates } from "node:tls";
import { buildConnector, Client, type Dispatcher } from "undici";
import type { ConnectionProfile } from "../scenario/index.ts";
import { type Connection, Http1Connection, type Http1Target, PLAIN_READS } from "./http1-connection.ts";
import type { ConnectionOwner, ResponseCollector } from "./response-collector.ts";

/** Streams in flight per HTTP/2 connection: undici's default maximum, and what a Node server allows until its settings say. */
export const H2_STREAMS = 100;

/** Connections opened at once while opening ahead: a burst of thousands would overflow a target's accept queue. */
const OPENING_AHEAD_AT_ONCE = 64;

/** The TLS options of a profile: a CA trusted beside the system's, or none verified when the test says so. */
export function tlsOptionsOf(p: ConnectionProfile): { rejectUnauthorized: boolean; ca?: string[] } {
  return { rejectUnauthorized: !p.insecureSkipVerify, ...(p.ca ? { ca: [...rootCertificates, p.ca] } : {}) };
}

/**
 * The keep-alive connections to one origin, and the requests waiting for one: plain HTTP/1.1
 * connections of our own (Http1Connection), or undici Clients where HTTP/2 is offered. A
 * request goes to an idle connection, else to a new one while fewer than `max`
 * exist, else waits its turn (first come, first served). undici's Pool instead hands a request
 * to the first connection not yet marked full, which may be busy: the request then waits behind
 * another while a connection idles, and that showed as a p99 ten times the median.
 *
 * With a profile that offers HTTP/2 (https only), one connection is opened first and waited for:
 * once it agrees on h2, each connection takes up to H2_STREAMS requests at once (a connection is
 * in `idle` once per free stream), so VUs share ceil(VUs / H2_STREAMS) connections; agreeing on
 * HTTP/1.1 instead, the pool is one request a connection, as without the profile.
 */
export class OriginConnections implements ConnectionOwner {
  private readonly idle: Connection[] = [];
  private readonly all: Connection[] = [];
  private readonly waiting: ResponseCollector[] = [];
  private waitingHead = 0;
  /**
   * One connector for all: each Client would build its own, with a TLS session cache, a
   * FinalizationRegistry and closures, about half a kilobyte a connection at 10,000 VUs.
   */
  private readonly connector: buildConnector.connector;
  /** The origin's host, the connector and what it is asked: one for all its plain connections. */
  private readonly target: Http1Target;
  private closed = false;
  /** The HTTP protocol its connections agreed on: http/1.1 until one agrees on h2. */
  protocol = "http/1.1";
  /** Connections it may have: `max`, or fewer while HTTP/2 is offered (see above). */
  private limit: number;
  private readonly offersH2: boolean;
  /** HTTP/2 offered and not yet answered: one connection until it is. */
  private probing: boolean;
  private perConnection = 1;
  /** Connections that agreed on h2 and were given their streams. */
  private readonly multiplexed = new WeakSet<Client>();

  /**
   * `lookup` in place of the system's: a run with a target policy connects only to the addresses it
   * hands back. `profile`: HTTP/2 and TLS options; absent, HTTP/1.1 with verified certificates.
   */
  constructor(
    private readonly origin: string,
    private max: number,
    connectTimeoutMs: number,
    lookup?: LookupFunction,
    profile?: ConnectionProfile,
  ) {
    this.offersH2 = this.probing = profile?.h2 === true && origin.startsWith("https:");
    this.connector = buildConnector({
      timeout: connectTimeoutMs,
      ...(lookup ? { lookup } : {}),
      ...(profile ? tlsOptionsOf(profile) : {}),
      ...(this.offersH2 ? { allowH2: true } : {}),
      ...(origin.startsWith("http:") ? { onread: PLAIN_READS } : {}),
    });
    this.limit = this.limitNow();
    const { protocol, host, hostname, port } = new URL(origin);
    this.target = { host, connect: this.connector, options: { protocol, host, hostname: hostname.replace(/^\[(.*)\]$/, "$1"), port } };
  }

  /** More connections may be opened: requests waiting for one get them now. */
  allow(max: number): void {
    this.max = Math.max(this.max, max);
    this.limit = this.limitNow();
    while (this.all.length < this.limit && this.waitingHead < this.waiting.length) {
      const c = this.waiting[this.waitingHead++]!;
      if (!c.isSettled) this.send(this.open(), c);
    }
  }

  dispatch(c: ResponseCollector): void {
    const client = this.idle.pop() ?? (this.all.length < this.limit ? this.open() : undefined);
    if (client) this.send(client, c);
    else this.waiting.push(c);
  }

  /**
   * Closes every connection, destroying it rather than closing it gracefully: nothing is in
   * flight by then (the transport gave up on it), and a graceful close of 10,000 connections
   * whose requests were interrupted at a stop took 4-7 s against 1-2 s (it waits on each socket).
   */
  async close(): Promise<void> {
    this.closed = true;
    this.waiting.length = 0;
    await Promise.all(this.all.map((connection) => connection.destroy().catch(() => undefined)));
  }

  private send(connection: Connection, c: ResponseCollector): void {
    c.owner = this;
    c.client = connection;
    if (connection instanceof Http1Connection) connection.dispatch(c.options, c);
    else connection.dispatch(c.options, c as unknown as Dispatcher.DispatchHandler);
  }

  /** A connection is free: the oldest waiting request takes it, else it idles. */
  release(connection: Connection): void {
    while (this.waitingHead < this.waiting.length) {
      const c = this.waiting[this.waitingHead++]!;
      if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
        this.waiting.splice(0, this.waitingHead);
        this.waitingHead = 0;
      }
      if (!c.isSettled) {
        this.send(connection, c);
        return;
      }
    }
    this.waiting.length = 0;
    this.waitingHead = 0;
    this.idle.push(connection);
  }

  /** A new connection, its socket opened at its first request unless it is given one opened ahead. */
  private open(socket?: Socket): Connection {
    const connection = this.offersH2 ? this.openOfferingH2() : new Http1Connection(this.target, socket);
    this.all.push(connection);
    return connection;
  }

  /**
   * Opens up to `count` connections before the run (never more than it may have), through the
   * same connector as any other (so under the same target policy), each an idle connection whose
   * first request goes out at once: a run's first requests do not pay for connecting (the TCP,
   * and TLS, handshakes), and nor does the start of an open run, where arrivals come faster than
   * connections open (at 20,000/s the first responses came 8 ms into the run against 63 ms).
   * Resolves once every one has opened or failed, or after `withinMs`; one that fails is left
   * to the first request, which then fails as it would have. HTTP/2 offers are left alone: their
   * first connection settles how many the origin needs.
   */
  async openAhead(count: number, withinMs: number): Promise<void> {
    if (this.offersH2) return;
    const deadline = performance.now() + withinMs;
    let toOpen = Math.min(count, this.limit - this.all.length);
    const opening = async (): Promise<void> => {
      while (toOpen > 0 && performance.now() < deadline) {
        toOpen--;
        const socket = await new Promise<Socket | undefined>((resolve) =>
          this.connector(this.target.options, (err, s) => resolve(err ? undefined : (s as Socket))),
        );
        // The target refuses or is not there: the run's first requests will say so, counted.
        if (!socket) return void (toOpen = 0);
        if (this.closed || this.all.length >= this.limit) return void socket.destroy();
        this.release(this.open(socket));
      }
    };
    const deadlineHit = new Promise<void>((resolve) => setTimeout(resolve, withinMs).unref());
    await Promise.race([Promise.all(Array.from({ length: Math.min(OPENING_AHEAD_AT_ONCE, toOpen) }, opening)), deadlineHit]);
  }

  private limitNow(): number {
    if (!this.offersH2) return this.max;
    return this.probing ? 1 : Math.ceil(this.max / this.perConnection);
  }

  /** A connection that offers h2, and learns what its socket agreed on (ALPN) each time it connects. */
  private openOfferingH2(): Client {
    const connect: buildConnector.connector = (options, callback) =>
      this.connector(options, (...args) => {
        callback(...args);
        if (args[0] === null) this.agreed(client, "alpnProtocol" in args[1] ? args[1].alpnProtocol : false);
      });
    const client = new Client(this.origin, { pipelining: 1, allowH2: true, connect });
    return client;
  }

  /**
   * A connection agreed on a protocol. h2: it takes H2_STREAMS requests at once from now (the
   * waiting ones first), and the pool needs a connection per H2_STREAMS requests. Anything else:
   * one request a connection, and as many connections as requests may be sent at once.
   */
  private agreed(client: Client, alpn: string | false | null): void {
    this.probing = false;
    if (alpn === "h2") {
      this.protocol = "h2";
      this.perConnection = H2_STREAMS;
      this.limit = this.limitNow();
      if (this.multiplexed.has(client)) return;
      this.multiplexed.add(client);
      client.pipelining = H2_STREAMS;
      for (let i = 1; i < H2_STREAMS; i++) this.release(client);
      return;
    }
    this.protocol = "http/1.1";
    this.perConnection = 1;
    this.allow(this.max);
  }
}
