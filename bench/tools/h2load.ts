// h2load (Debian's nghttp2-client): HTTP/2 load, `-c` connections with up to `-m` streams each, for
// `-D` seconds. Its summary has no percentiles: they come from its --log-file, one line a request
// (start µs, status, elapsed µs).
import { type Command, checkMeasured, type LoadOptions, ParseError, requireNumber, type ToolResult } from "./types.ts";
import { timeToMs } from "./units.ts";

const TOOL = "h2load";

export type H2loadOptions = LoadOptions & { streams: number; logFile: string };

/** `connections` clients, each with up to `streams` requests in flight, one thread. */
export function h2loadCommand(o: H2loadOptions): Command {
  return {
    cmd: "h2load",
    args: ["-t1", `-c${o.connections}`, `-m${o.streams}`, "-D", String(o.durationSec), `--log-file=${o.logFile}`, o.url],
  };
}

/** The percentile `p` (0-100) of sorted values, nearest rank. */
const percentile = (sorted: Float64Array, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** Elapsed times (ms) of the log's requests, sorted. */
function elapsedMs(log: string): Float64Array {
  const lines = log.split("\n").filter((l) => l.trim() !== "");
  const out = new Float64Array(lines.length);
  lines.forEach((line, i) => {
    const us = line.split("\t")[2];
    out[i] = requireNumber(TOOL, "log elapsed", us) / 1000;
  });
  return out.sort();
}

export function parseH2load(stdout: string, log: string): ToolResult {
  const finished = /^finished in ([0-9.]+[a-z]+), ([0-9.]+) req\/s/m.exec(stdout);
  if (!finished) throw new ParseError(TOOL, "no 'finished in T, N req/s' line");
  const requests = /^requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/m.exec(
    stdout,
  );
  if (!requests) throw new ParseError(TOOL, "no 'requests:' line");
  const status = /^status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/m.exec(stdout);
  const max = /^time for request:\s+\S+\s+(\S+)/m.exec(stdout);
  const times = elapsedMs(log);
  if (times.length === 0) throw new ParseError(TOOL, "no request in its log file");
  const failed = Number(requests[4]) + Number(requests[5]) + Number(requests[6]);
  const non2xx = status ? Number(status[3]) + Number(status[4]) : 0;
  return checkMeasured(TOOL, {
    requests: requireNumber(TOOL, "done", requests[2]),
    durationSec: timeToMs(TOOL, finished[1]!) / 1000,
    rps: requireNumber(TOOL, "req/s", finished[2]),
    p50Ms: percentile(times, 50),
    p99Ms: percentile(times, 99),
    maxMs: max ? timeToMs(TOOL, max[1]!) : percentile(times, 100),
    failures: failed + non2xx,
  });
}

/** The protocol a run agreed on, as h2load ("Application protocol: h2") or Loadline's JSON ("protocol":"h2") says it. */
export function agreedProtocol(stdout: string): string | undefined {
  return /^Application protocol: (\S+)/m.exec(stdout)?.[1] ?? /"protocol":"([^"]+)"/.exec(stdout)?.[1];
}
