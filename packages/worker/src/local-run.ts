/**
 * A load run without NATS, for benchmarks: the worker's engine (executors, undici transport,
 * per-second windows with HDR histograms encoded each second, threads) against one URL.
 *
 *   npx tsx packages/worker/src/local-run.ts --url URL [--connections 64] [--duration 10]
 *     [--threads 1] [--rate R --max-vus N] [--http2] [--insecure] [--json]
 *
 * Closed model: `connections` VUs (constant-vus). With --rate: constant-arrival-rate at R
 * iterations/s, `connections` VUs pre-allocated, at most --max-vus (default `connections`);
 * latency then counts from each iteration's intended start. Prints one JSON line with the
 * figures (percentiles exact from the merged histograms); --json prints only that line.
 * --http2 offers HTTP/2 (an https URL; requests multiplexed once agreed), --insecure accepts
 * any certificate (a self-signed test target).
 */

import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  decodeHistogram,
  type Executor,
  type GeneratorHealth,
  type Histogram,
  type HttpOptions,
  type MetricWindow,
  mergeProtocols,
  newLatencyHistogram,
  type RunPlan,
} from "@loadline/core";
import { createLoadEngine } from "./engine/engine-factory.ts";
import { ALL_LANES } from "./engine/load-engine.ts";
import { boundHeapGrowth } from "./heap.ts";
import { startSecondTicker } from "./second-ticker.ts";

export type LocalRunOptions = {
  url: string;
  connections: number;
  durationSec: number;
  threads: number;
  /** Iterations per second: the open model. */
  rate?: number;
  maxVUs?: number;
  /** HTTP version and TLS options of the requests (the test's `http`). */
  http?: HttpOptions;
};

export type LocalRunResult = {
  requests: number;
  durationSec: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  servicep50Ms: number;
  servicep99Ms: number;
  droppedIterations: number;
  /**
   * The p99 and the dropped iterations from STEADY_AFTER_SEC into the run on (whole windows):
   * the generator's start left out. Its first second or two are when V8 compiles the hot paths,
   * on the same core (bench/results/self-noise.md); the run's own figures above count them.
   * Absent: the run had no window that late.
   */
  steadyP99Ms?: number;
  steadyDropped?: number;
  failures: number;
  /** Failed requests by kind (connect, tls, timeout, ...). */
  failuresByKind: Record<string, number>;
  /** The HTTP protocol the responses came over, as the windows say it; absent without responses. */
  protocol?: string;
  rssMb: number;
  /** The generator's own health over the run (issue 24): the worst second's figures, and how many seconds were saturated. */
  generator: LocalGeneratorHealth;
};

export type LocalGeneratorHealth = {
  seconds: number;
  saturatedSeconds: number;
  loopDelayP95Ms: number;
  loopDelayMaxMs: number;
  timerSlipP50Ms: number;
  timerSlipP95Ms: number;
  timerSlipMaxMs: number;
  gcPauseMs: number;
  busy: number;
};

/** The executor a local run uses. */
export function localExecutor(o: LocalRunOptions): Executor {
  if (o.rate === undefined) return { type: "constant-vus", vus: o.connections, durationSec: o.durationSec };
  return {
    type: "constant-arrival-rate",
    rate: o.rate,
    timeUnitSec: 1,
    durationSec: o.durationSec,
    preAllocatedVUs: o.connections,
    maxVUs: Math.max(o.connections, o.maxVUs ?? o.connections),
  };
}

/** Where local-run's steady figures begin: seconds into the run. */
export const STEADY_AFTER_SEC = 2;

/**
 * The run-wide figures, counted window by window as a run's consumer would; the histograms are
 * kept encoded and merged after the run (`histograms`). Decoding them each second ran on the
 * engine's own thread here (one thread runs inline): the arrivals due meanwhile started late,
 * which a worker's engine threads never see (a worker merges windows on its main thread).
 */
class RunFigures {
  private readonly encoded: { latency: string[]; service: string[] } = { latency: [], service: [] };
  /** The first epoch second whose window counts in the steady figures; none before the run begins. */
  private steadyFrom = Number.POSITIVE_INFINITY;
  /** Windows come oldest first: the steady ones' latencies are `encoded.latency` from this index on. */
  private steadyLatencyFrom = Number.POSITIVE_INFINITY;
  requests = 0;
  failures = 0;
  dropped = 0;
  steadyWindows = 0;
  steadyDropped = 0;
  readonly failuresByKind: Record<string, number> = {};
  protocol: string | undefined;
  readonly generator: LocalGeneratorHealth = {
    seconds: 0,
    saturatedSeconds: 0,
    loopDelayP95Ms: 0,
    loopDelayMaxMs: 0,
    timerSlipP50Ms: 0,
    timerSlipP95Ms: 0,
    timerSlipMaxMs: 0,
    gcPauseMs: 0,
    busy: 0,
  };

  /** The run began at `epochMs`: its windows from STEADY_AFTER_SEC on are its steady part. */
  began(epochMs: number): void {
    this.steadyFrom = Math.ceil((epochMs + STEADY_AFTER_SEC * 1000) / 1000);
  }

  add(windows: readonly MetricWindow[]): void {
    for (const w of windows) {
      const steady = w.second >= this.steadyFrom;
      this.dropped += w.droppedIterations ?? 0;
      if (steady) {
        if (this.steadyWindows === 0) this.steadyLatencyFrom = this.encoded.latency.length;
        this.steadyWindows++;
        this.steadyDropped += w.droppedIterations ?? 0;
      }
      if (w.generator) this.addHealth(w.generator);
      for (const r of w.requests) {
        this.requests += r.count;
        this.failures += r.failures;
        for (const [kind, n] of Object.entries(r.failuresByKind ?? {})) this.failuresByKind[kind] = (this.failuresByKind[kind] ?? 0) + n;
        this.protocol = mergeProtocols(this.protocol, r.protocol);
        this.encoded.latency.push(r.histogram);
        if (r.serviceHistogram) this.encoded.service.push(r.serviceHistogram);
      }
    }
  }

  /** The latency and service-time histograms of every window, and the latency of the steady ones, merged. */
  histograms(): { latency: Histogram; service: Histogram; steady: Histogram } {
    const latency = newLatencyHistogram();
    const steady = newLatencyHistogram();
    this.encoded.latency.forEach((e, i) => {
      const h = decodeHistogram(e);
      latency.add(h);
      if (i >= this.steadyLatencyFrom) steady.add(h);
    });
    const service = newLatencyHistogram();
    for (const e of this.encoded.service) service.add(decodeHistogram(e));
    return { latency, service, steady };
  }

  private addHealth(h: GeneratorHealth): void {
    const g = this.generator;
    g.seconds++;
    if (h.saturated) g.saturatedSeconds++;
    g.loopDelayP95Ms = Math.max(g.loopDelayP95Ms, h.loopDelayP95Ms);
    g.loopDelayMaxMs = Math.max(g.loopDelayMaxMs, h.loopDelayMaxMs);
    g.timerSlipP50Ms = Math.max(g.timerSlipP50Ms, h.timerSlipP50Ms ?? 0);
    g.timerSlipP95Ms = Math.max(g.timerSlipP95Ms, h.timerSlipP95Ms ?? 0);
    g.timerSlipMaxMs = Math.max(g.timerSlipMaxMs, h.timerSlipMaxMs ?? 0);
    g.gcPauseMs = Math.round((g.gcPauseMs + h.gcPauseMs) * 1e3) / 1e3;
    g.busy = Math.max(g.busy, h.busy);
  }
}

const ms = (us: number): number => Math.round(us) / 1000;

export async function localRun(o: LocalRunOptions, signal?: AbortSignal): Promise<LocalRunResult> {
  const plan: RunPlan = {
    targetUrl: new URL(o.url).origin,
    workload: localExecutor(o),
    ...(o.http ? { http: o.http } : {}),
    scenarios: [
      {
        name: "local",
        weight: 1,
        variables: {},
        steps: [{ type: "request", method: "GET", url: o.url, timeoutMs: 60_000, checks: [], extract: [] }],
      },
    ],
  };
  const figures = new RunFigures();
  let rss = process.memoryUsage().rss;
  const engine = createLoadEngine({
    runId: "local",
    workerId: "local",
    plan,
    share: ALL_LANES,
    threads: o.threads,
    // A local run has no heartbeat to keep and nothing else to do: one thread runs here, sparing messages and merges.
    allowInline: true,
    onWindows: (windows) => figures.add(windows),
    onError: (err) => console.error("iteration failed:", err),
  });
  const ticker = startSecondTicker((second) => {
    engine.tick(second);
    rss = Math.max(rss, process.memoryUsage().rss);
  });
  // Listened for before the engine starts: an abort during start-up (an early Ctrl-C) is not lost.
  const stopped = new Promise<void>((resolve) => {
    if (signal?.aborted) resolve();
    signal?.addEventListener("abort", () => resolve(), { once: true });
  });
  await engine.prepare();
  const beginAt = Date.now();
  figures.began(beginAt);
  engine.begin(beginAt);
  const t0 = performance.now();
  await Promise.race([engine.finished, stopped]);
  const durationSec = (performance.now() - t0) / 1000;
  await engine.stop();
  ticker.stop();
  rss = Math.max(rss, process.memoryUsage().rss);
  const { latency, service, steady } = figures.histograms();
  return {
    requests: figures.requests,
    durationSec: Math.round(durationSec * 1000) / 1000,
    rps: Math.round(figures.requests / durationSec),
    p50Ms: ms(latency.getValueAtPercentile(50)),
    p99Ms: ms(latency.getValueAtPercentile(99)),
    maxMs: ms(latency.maxValue),
    servicep50Ms: ms(service.getValueAtPercentile(50)),
    servicep99Ms: ms(service.getValueAtPercentile(99)),
    droppedIterations: figures.dropped,
    ...(figures.steadyWindows > 0 ? { steadyP99Ms: ms(steady.getValueAtPercentile(99)), steadyDropped: figures.steadyDropped } : {}),
    failures: figures.failures,
    failuresByKind: figures.failuresByKind,
    ...(figures.protocol ? { protocol: figures.protocol } : {}),
    rssMb: Math.round(rss / 1048576),
    generator: figures.generator,
  };
}

function parseOptions(argv: string[]): LocalRunOptions & { json: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: "string" },
      connections: { type: "string", default: "64" },
      duration: { type: "string", default: "10" },
      threads: { type: "string", default: "1" },
      rate: { type: "string" },
      "max-vus": { type: "string" },
      http2: { type: "boolean", default: false },
      insecure: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  if (!values.url) throw new Error("--url is required");
  const positive = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!(n > 0)) throw new Error(`--${name} must be a positive number`);
    return n;
  };
  const options: LocalRunOptions & { json: boolean } = {
    url: values.url,
    connections: Math.floor(positive("connections", values.connections)!),
    durationSec: positive("duration", values.duration)!,
    threads: Math.floor(positive("threads", values.threads)!),
    json: values.json,
  };
  const rate = positive("rate", values.rate);
  const maxVUs = positive("max-vus", values["max-vus"]);
  if (rate !== undefined) options.rate = rate;
  if (maxVUs !== undefined) options.maxVUs = Math.floor(maxVUs);
  if (values.http2 || values.insecure)
    options.http = { ...(values.http2 ? { version: "2" } : {}), ...(values.insecure ? { tls: { insecureSkipVerify: true } } : {}) };
  return options;
}

async function main(): Promise<void> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    console.error(
      "usage: local-run.ts --url URL [--connections 64] [--duration 10] [--threads 1] [--rate R --max-vus N] [--http2] [--insecure] [--json]",
    );
    process.exit(2);
  }
  boundHeapGrowth();
  const interrupt = new AbortController();
  process.once("SIGINT", () => interrupt.abort());
  const result = await localRun(options, interrupt.signal);
  if (!options.json) {
    const model =
      options.rate === undefined
        ? `${options.connections} VUs`
        : `${options.rate}/s (VUs ${options.connections}..${options.maxVUs ?? options.connections})`;
    console.error(`${options.url}: ${model}, ${options.threads} thread(s), ${result.durationSec} s`);
    console.error(
      `  ${result.requests} requests, ${result.rps} req/s, ${result.failures} failed, ${result.droppedIterations} dropped, over ${result.protocol ?? "-"}`,
    );
    console.error(
      `  latency p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms; service p50 ${result.servicep50Ms} ms, p99 ${result.servicep99Ms} ms`,
    );
    if (result.steadyP99Ms !== undefined)
      console.error(`  from ${STEADY_AFTER_SEC} s on: latency p99 ${result.steadyP99Ms} ms, ${result.steadyDropped} dropped`);
    const g = result.generator;
    console.error(
      `  generator: event-loop delay p95 ${g.loopDelayP95Ms} ms (max ${g.loopDelayMaxMs}), timer slip p50 ${g.timerSlipP50Ms} ms, p95 ${g.timerSlipP95Ms} ms (max ${g.timerSlipMaxMs}), GC ${g.gcPauseMs} ms, busiest thread ${Math.round(g.busy * 100)}%` +
        (g.saturatedSeconds > 0
          ? `; WARNING: saturated ${g.saturatedSeconds} of ${g.seconds} s (the generator, not the target, set those seconds' load or latency)`
          : ""),
    );
  }
  console.log(JSON.stringify(result));
}

// Run as a script (not imported): `npx tsx packages/worker/src/local-run.ts ...`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
