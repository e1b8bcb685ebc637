import { type AddressInfo, createServer, type Server } from "node:net";
import { CompiledScenario } from "../scenario/index.ts";
import { HttpTransport } from "../transport/http-transport.ts";
import { currentSecond, type RunTotals, WindowAccumulator } from "../windows.ts";
import { IterationContext } from "./iteration-context.ts";

/**
 * The answers as servers write them, in turn: a length and the usual headers (nginx's), then a
 * chunked body. A branch of the response parser the warm-up never took is one the run's first
 * response would take unoptimised, and bail out of the code compiled without it.
 */
const WARM_RESPONSES = [
  "HTTP/1.1 200 OK\r\nServer: warm-up\r\nDate: Sun, 06 Dec 2026 00:00:00 GMT\r\nContent-Type: text/plain\r\nContent-Length: 4\r\nConnection: keep-alive\r\n\r\nwarm",
  "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwarm\r\n0\r\n\r\n",
].map((r) => Buffer.from(r, "latin1"));
const HEAD_END = "\r\n\r\n";

/**
 * A throwaway HTTP/1.1 server that answers each request (a GET: its head ends it) with "warm",
 * parsing nothing else: on one core, the warm-up's time then goes into the client, not the server.
 */
function startWarmServer(): Promise<Server> {
  let answered = 0;
  const server = createServer((socket) => {
    let tail = "";
    socket.on("data", (chunk: Buffer) => {
      const text = tail + chunk.toString("latin1");
      for (let at = text.indexOf(HEAD_END); at !== -1; at = text.indexOf(HEAD_END, at + HEAD_END.length))
        socket.write(WARM_RESPONSES[answered++ % WARM_RESPONSES.length]!);
      tail = text.slice(-(HEAD_END.length - 1));
    });
    socket.on("error", () => socket.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

/** What every engine thread sends before any run (a spare thread, before it knows its run). */
export const BASE_WARM_UP_REQUESTS = 400;
const MOST_WARM_UP_REQUESTS = 4000;

/**
 * The requests a thread sends, beyond the base warm-up, before a run whose open executors start
 * up to `arrivalsPerSec` iterations a second on it: its first second's worth, 4,000 in all at
 * most. 400 requests leave the HTTP client's and the engine's hot paths half optimised, and at 2,000
 * arrivals/s the first second then paid for the rest of the compiling: 3-6% of its requests
 * slower than 1 ms, up to 20-200 ms (bench/results/self-noise.md). Closed models and slow open
 * ones keep the base warm-up: their runs start as soon as before.
 */
export const topUpWarmUpRequests = (arrivalsPerSec: number): number =>
  Math.max(0, Math.min(MOST_WARM_UP_REQUESTS, Math.round(arrivalsPerSec)) - BASE_WARM_UP_REQUESTS);

/**
 * Runs iterations of a one-request scenario against a throwaway server on 127.0.0.1, through
 * the engine's own path (VU session, the transport and its HTTP/1.1 connections, windows and
 * their histograms, a window closed at the end), all thrown away: that path is loaded and
 * optimised now, not during the run's first iterations, whose every millisecond an open
 * executor counts from their intended starts. Resolves to what it sent and how much failed.
 *
 * `interrupt` is the signal the run's iterations will be given, when known. In Node 20 no two
 * AbortSignals share a hidden class (map), so code optimised on the warm-up's own signal bailed
 * out ("wrong map") on the run's at its first requests, and was compiled again on the engine's
 * core while the run's first second went by (bench/results/self-noise.md).
 */
export async function warmUp(
  requests = BASE_WARM_UP_REQUESTS,
  interrupt: AbortSignal = new AbortController().signal,
  concurrency = 8,
): Promise<RunTotals> {
  if (requests <= 0) return { requests: 0, failures: 0 };
  return againstWarmServer(concurrency, async (scenario, transport) => {
    const windows = new WindowAccumulator("warm-up", "warm-up", currentSecond());
    const ctx = new IterationContext([scenario], transport, windows, () => undefined);
    let left = requests;
    const loop = async (vu: number) => {
      const user = ctx.newVu(vu);
      while (left-- > 0) await ctx.iterate(user, 0, interrupt, performance.now());
    };
    await Promise.all(Array.from({ length: concurrency }, (_, vu) => loop(vu + 1)));
    windows.finish(currentSecond());
    return windows.totals;
  });
}

/**
 * Runs `use` with a throwaway server on 127.0.0.1, a one-request scenario against it and a
 * transport of its own (`connections` per origin), then closes the transport and the server.
 */
export async function againstWarmServer<T>(
  connections: number,
  use: (scenario: CompiledScenario, transport: HttpTransport) => Promise<T>,
): Promise<T> {
  const server = await startWarmServer();
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const scenario = CompiledScenario.compile(
    {
      name: "warm-up",
      weight: 1,
      variables: {},
      steps: [{ type: "request", method: "GET", url: `${origin}/`, timeoutMs: 5000, checks: [], extract: [] }],
    },
    origin,
  );
  const transport = new HttpTransport({ connections });
  try {
    return await use(scenario, transport);
  } finally {
    await transport.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
