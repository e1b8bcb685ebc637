import type { LookupFunction } from "node:net";
import { buildConnector, Client, type Dispatcher } from "undici";
import type { ConnectionOwner, ResponseCollector } from "./response-collector.ts";

/**
 * The keep-alive connections to one origin, one undici Client each, and the requests waiting
 * for one. A request goes to an idle connection, else to a new one while fewer than `max`
 * exist, else waits its turn (first come, first served). undici's Pool instead hands a request
 * to the first connection not yet marked full, which may be busy: the request then waits behind
 * another while a connection idles, and that showed as a p99 ten times the median.
 */
export class OriginConnections implements ConnectionOwner {
  private readonly idle: Client[] = [];
  private readonly all: Client[] = [];
  private readonly waiting: ResponseCollector[] = [];
  private waitingHead = 0;
  /**
   * One connector for all: each Client would build its own, with a TLS session cache, a
   * FinalizationRegistry and closures, about half a kilobyte a connection at 10,000 VUs.
   */
  private readonly connector: buildConnector.connector;

  /** `lookup` in place of the system's: a run with a target policy connects only to the addresses it hands back. */
  constructor(
    private readonly origin: string,
    private max: number,
    connectTimeoutMs: number,
    lookup?: LookupFunction,
  ) {
    this.connector = buildConnector(lookup ? { timeout: connectTimeoutMs, lookup } : { timeout: connectTimeoutMs });
  }

  /** More connections may be opened: requests waiting for one get them now. */
  allow(max: number): void {
    this.max = Math.max(this.max, max);
    while (this.all.length < this.max && this.waitingHead < this.waiting.length) {
      const c = this.waiting[this.waitingHead++]!;
      if (!c.isSettled) this.send(this.open(), c);
    }
  }

  dispatch(c: ResponseCollector): void {
    const client = this.idle.pop() ?? (this.all.length < this.max ? this.open() : undefined);
    if (client) this.send(client, c);
    else this.waiting.push(c);
  }

  /**
   * Closes every connection, destroying it rather than closing it gracefully: nothing is in
   * flight by then (the transport gave up on it), and a graceful close of 10,000 connections
   * whose requests were interrupted at a stop took 4-7 s against 1-2 s (it waits on each socket).
   */
  async close(): Promise<void> {
    this.waiting.length = 0;
    await Promise.all(this.all.map((client) => client.destroy().catch(() => undefined)));
  }

  private send(client: Client, c: ResponseCollector): void {
    c.owner = this;
    c.client = client;
    client.dispatch(c.options, c as unknown as Dispatcher.DispatchHandler);
  }

  /** A connection is free: the oldest waiting request takes it, else it idles. */
  release(client: Client): void {
    while (this.waitingHead < this.waiting.length) {
      const c = this.waiting[this.waitingHead++]!;
      if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
        this.waiting.splice(0, this.waitingHead);
        this.waitingHead = 0;
      }
      if (!c.isSettled) {
        this.send(client, c);
        return;
      }
    }
    this.waiting.length = 0;
    this.waitingHead = 0;
    this.idle.push(client);
  }

  private open(): Client {
    const client = new Client(this.origin, { pipelining: 1, connect: this.connector });
    this.all.push(client);
    return client;
  }
}
