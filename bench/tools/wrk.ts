// wrk (Debian's wrk 4.1): closed loop, one thread, `--latency` for the percentile table.
import { type Command, checkMeasured, type LoadOptions, ParseError, requireNumber, type ToolResult } from "./types.ts";
import { timeToMs } from "./units.ts";

const TOOL = "wrk";

export function wrkCommand(o: LoadOptions): Command {
  return { cmd: "wrk", args: ["-t1", `-c${o.connections}`, `-d${o.durationSec}s`, "--latency", o.url] };
}

export function parseWrk(stdout: string): ToolResult {
  const rps = /^Requests\/sec:\s+([0-9.]+)/m.exec(stdout);
  if (!rps) throw new ParseError(TOOL, "no 'Requests/sec' line");
  const total = /^\s*([0-9]+) requests in ([0-9.]+[a-z]+),/m.exec(stdout);
  if (!total) throw new ParseError(TOOL, "no 'N requests in T' line");
  const dist = stdout.split(/Latency Distribution/)[1];
  if (dist === undefined) throw new ParseError(TOOL, "no 'Latency Distribution' table (run with --latency)");
  const pct = (p: string) => {
    const m = new RegExp(`^\\s*${p}%\\s+(\\S+)`, "m").exec(dist);
    if (!m) throw new ParseError(TOOL, `no ${p}% latency`);
    return timeToMs(TOOL, m[1]!);
  };
  const lat = /^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)/m.exec(stdout);
  if (!lat) throw new ParseError(TOOL, "no 'Latency avg stdev max' line");
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const socketErrors = socket ? socket.slice(1, 5).reduce((s, v) => s + Number(v), 0) : 0;
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  return checkMeasured(TOOL, {
    requests: requireNumber(TOOL, "requests", total[1]),
    durationSec: timeToMs(TOOL, total[2]!) / 1000,
    rps: requireNumber(TOOL, "Requests/sec", rps[1]),
    p50Ms: pct("50"),
    p99Ms: pct("99"),
    maxMs: timeToMs(TOOL, lat[3]!),
    failures: socketErrors + (non2xx ? Number(non2xx[1]) : 0),
  });
}
