import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { sleepAtLeast } from "@loadline/core";
import type { NatsConnection } from "@loadline/nats";
import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";

/** A local target for tests: counts every request it receives and answers after `delayMs`. */
export type CountingServer = {
  url: string;
  /** Requests received, by "METHOD path". */
  received: Map<string, number>;
  total(): number;
  /** performance.now() of each request's arrival, in order. */
  arrivals: number[];
  /** The most requests it was answering at once. */
  maxInFlight(): number;
  inFlight(): number;
  close(): Promise<void>;
};

export async function countingServer(
  opts: {
    delayMs?: number | ((req: IncomingMessage) => number);
    status?: (req: IncomingMessage) => number;
    /** Called as each request arrives (with its number, from 1), before it is answered. */
    onRequest?: (n: number) => void;
    /** What it answers; `ok:METHOD path` by default. */
    body?: (req: IncomingMessage) => string;
  } = {},
): Promise<CountingServer> {
  const received = new Map<string, number>();
  const arrivals: number[] = [];
  let total = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    total++;
    arrivals.push(performance.now());
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const key = `${req.method} ${req.url}`;
    received.set(key, (received.get(key) ?? 0) + 1);
    opts.onRequest?.(total);
    req.resume();
    req.on("end", () => {
      const delay = typeof opts.delayMs === "function" ? opts.delayMs(req) : (opts.delayMs ?? 5);
      // At least the delay: tests bound latencies from below by it.
      void sleepAtLeast(delay).then(() => {
        inFlight--;
        res.statusCode = opts.status?.(req) ?? 200;
        res.end(opts.body?.(req) ?? "ok:" + key);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    total: () => total,
    arrivals,
    maxInFlight: () => maxInFlight,
    inFlight: () => inFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Every message now in `stream` on `subject` (a filter), oldest first, as parsed JSON. */
export async function readStream(
  nc: NatsConnection,
  stream: string,
  subject: string,
): Promise<{ subject: string; seq: number; data: unknown }[]> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream);
  const out: { subject: string; seq: number; data: unknown }[] = [];
  if (info.state.messages === 0) return out;
  const consumer = await jetstream(nc).consumers.get(stream, { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
  const messages = await consumer.fetch({ max_messages: 10_000, expires: 1000 });
  for await (const m of messages) {
    out.push({ subject: m.subject, seq: m.seq, data: m.json() });
    if (m.seq >= info.state.last_seq || m.info.pending === 0) break;
  }
  await messages.close();
  return out;
}

/**
 * Starts measuring how late this thread's event loop runs; the function returned stops and
 * answers the worst lateness seen, in ms: how late any timer or I/O callback was. Timing bounds
 * in tests are widened by it, so they hold on a machine busy with other work.
 */
export function loopLateness(): () => number {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  return () => {
    delay.disable();
    return delay.max / 1e6;
  };
}
