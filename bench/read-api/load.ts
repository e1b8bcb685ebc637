// One route under autocannon (pinned to core 1): closed loop with N connections, or a fixed
// overall rate (-R, latencies corrected for coordinated omission). Answers req/s, p50, p99.
import { run } from "../lib/proc.ts";
import { ROOT } from "../measure.ts";

export type LoadSpec = {
  url: string;
  headers: Record<string, string>;
  connections: number;
  durationSec: number;
  /** Requests a second over all connections; closed loop when absent. */
  rate?: number;
  /** The status class every answer must have: "2xx", or "3xx" for the 304s. */
  expect: "2xx" | "3xx";
};

export type LoadResult = { rps: number; p50: number; p99: number; requests: number; failures: number };

export async function autocannon(s: LoadSpec): Promise<LoadResult> {
  const args = ["-c", String(s.connections), "-d", String(s.durationSec), "-j", "-n"];
  if (s.rate !== undefined) args.push("-R", String(s.rate));
  for (const [k, v] of Object.entries(s.headers)) args.push("-H", `${k}=${v}`);
  args.push(s.url);
  const out = await run({ cmd: `${ROOT}/node_modules/.bin/autocannon`, args, cpu: 1, timeoutMs: (s.durationSec + 30) * 1000 });
  const line = out.stdout
    .split("\n")
    .reverse()
    .find((l) => l.trim().startsWith("{"));
  if (!line) throw new Error(`autocannon printed no JSON (exit ${out.code}): ${out.stderr.slice(-500)}`);
  const j = JSON.parse(line) as {
    duration: number;
    errors: number;
    timeouts: number;
    requests: { total: number };
    latency: { p50: number; p99: number };
    "2xx": number;
    "3xx": number;
  };
  const ok = j[s.expect];
  // autocannon counts an answer only once it ended: requests.total is the answers, of any status.
  return {
    rps: j.requests.total / j.duration,
    p50: j.latency.p50,
    p99: j.latency.p99,
    requests: j.requests.total,
    failures: j.errors + j.timeouts + (j.requests.total - ok),
  };
}
