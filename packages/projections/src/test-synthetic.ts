// Synthetic metric windows for benchmarks and tests: what 1,000 workers running 20 request
// names send each second. The histograms come from a pool made once, so that building a
// window costs little more than picking entries: the publisher must not be the bottleneck.
import { encodeHistogram, type MetricWindow, newLatencyHistogram, type RequestWindow, seededRandom } from "@loadline/core";

/** One request name's figures without its name: what a window's request entry holds. */
export type PoolEntry = Omit<RequestWindow, "name" | "method">;

export type SyntheticLoad = {
  runId: string;
  workerIds: readonly string[];
  requests: readonly { name: string; method: string }[];
  pool: readonly PoolEntry[];
  activeUsersPerWorker: number;
};

export type PoolOptions = { size?: number; minSamples?: number; maxSamples?: number; minUs?: number; maxUs?: number; seed?: number };

/**
 * `size` request entries, each with its own latency and service histograms (µs) of
 * minSamples..maxSamples samples between minUs and maxUs (log-uniform: most are fast),
 * and counts that agree with them: a few failures, status codes, bytes.
 */
export function histogramPool(o: PoolOptions = {}): PoolEntry[] {
  const { size = 200, minSamples = 50, maxSamples = 200, minUs = 5_000, maxUs = 200_000, seed = 1 } = o;
  const rand = seededRandom(seed); // the same figures on every run
  const span = Math.log(maxUs / minUs);
  const pool: PoolEntry[] = [];
  for (let i = 0; i < size; i++) {
    const count = minSamples + Math.floor(rand() * (maxSamples - minSamples + 1));
    const latency = newLatencyHistogram();
    const service = newLatencyHistogram();
    for (let s = 0; s < count; s++) {
      const us = Math.round(minUs * Math.exp(rand() * span));
      latency.recordValue(us);
      // Service time is the latency less the time the request waited to be sent.
      service.recordValue(Math.max(1, Math.round(us * (0.85 + 0.15 * rand()))));
    }
    const failures = rand() < 0.2 ? 1 + Math.floor(rand() * 3) : 0;
    const bytesPerResponse = 256 + Math.floor(rand() * 2048);
    pool.push({
      count,
      failures,
      bytesIn: count * bytesPerResponse,
      bytesOut: count * Math.floor(rand() * 200),
      histogram: encodeHistogram(latency),
      serviceHistogram: encodeHistogram(service),
      ...(failures > 0 ? { failuresByKind: { "5xx": failures } } : {}),
      statusCodes: failures > 0 ? { "200": count - failures, "503": failures } : { "200": count },
    });
    latency.destroy();
    service.destroy();
  }
  return pool;
}

export const syntheticWorkerIds = (n: number): string[] => Array.from({ length: n }, (_, i) => `w-bench-${String(i).padStart(4, "0")}`);

export function syntheticRequests(n: number): { name: string; method: string }[] {
  const methods = ["GET", "GET", "GET", "POST", "PUT"];
  return Array.from({ length: n }, (_, i) => ({ name: `endpoint-${String(i).padStart(2, "0")}`, method: methods[i % methods.length]! }));
}

/** The pool entry each request name of worker `w` reports in `second`: varies with both. */
const pick = (load: SyntheticLoad, w: number, r: number, second: number): number => (w * 31 + r * 7 + second * 13) % load.pool.length;

function shell(load: SyntheticLoad, w: number, second: number, count: number, failures: number): MetricWindow {
  return {
    runId: load.runId,
    workerId: load.workerIds[w]!,
    second,
    activeUsers: load.activeUsersPerWorker,
    requests: [],
    iterations: Math.floor(count / load.requests.length),
    droppedIterations: 0,
    checksPassed: count - failures,
    checksFailed: failures,
  };
}

/** Worker `w`'s window of epoch second `second`: its request entries picked from the pool. */
export function syntheticWindow(load: SyntheticLoad, w: number, second: number): MetricWindow {
  const { pool, requests } = load;
  const entries: RequestWindow[] = new Array(requests.length);
  let count = 0;
  let failures = 0;
  for (let r = 0; r < requests.length; r++) {
    const e = pool[pick(load, w, r, second)]!;
    entries[r] = { name: requests[r]!.name, method: requests[r]!.method, ...e };
    count += e.count;
    failures += e.failures;
  }
  return { ...shell(load, w, second, count, failures), requests: entries };
}

/**
 * The same window, enveloped and serialised, built from request entries serialised once:
 * JSON.stringify of some 20 KB of histograms per window, 1,000 times a second, would make
 * the publisher the bottleneck. `envelope` wraps the window (the worker's windowEvent).
 */
export function windowEncoder(load: SyntheticLoad, envelope: (w: MetricWindow) => unknown): (w: number, second: number) => string {
  const heads = load.requests.map((r) => JSON.stringify({ name: r.name, method: r.method }).slice(0, -1) + ",");
  const bodies = load.pool.map((e) => JSON.stringify(e).slice(1));
  const marker = '"requests":[]';
  return (w, second) => {
    const parts: string[] = new Array(load.requests.length);
    let count = 0;
    let failures = 0;
    for (let r = 0; r < load.requests.length; r++) {
      const i = pick(load, w, r, second);
      parts[r] = heads[r]! + bodies[i]!;
      count += load.pool[i]!.count;
      failures += load.pool[i]!.failures;
    }
    const json = JSON.stringify(envelope(shell(load, w, second, count, failures)));
    const at = json.indexOf(marker);
    if (at < 0) throw new Error("the envelope does not hold the window's requests");
    return `${json.slice(0, at)}"requests":[${parts.join(",")}]${json.slice(at + marker.length)}`;
  };
}
