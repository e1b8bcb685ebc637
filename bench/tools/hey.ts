// hey (Debian's hey): `-c N -z Ds`, text summary with a latency distribution in seconds.
import { type Command, checkMeasured, type LoadOptions, ParseError, requireNumber, type ToolResult } from "./types.ts";

const TOOL = "hey";

export function heyCommand(o: LoadOptions): Command {
  return { cmd: "hey", args: ["-c", String(o.connections), "-z", `${o.durationSec}s`, o.url] };
}

function secs(stdout: string, label: RegExp, what: string): number {
  const m = label.exec(stdout);
  if (!m) throw new ParseError(TOOL, `no ${what}`);
  return requireNumber(TOOL, what, m[1]) * 1000;
}

export function parseHey(stdout: string): ToolResult {
  const rps = /Requests\/sec:\s+([0-9.]+)/.exec(stdout);
  if (!rps) throw new ParseError(TOOL, "no 'Requests/sec' line");
  const totalMs = secs(stdout, /Total:\s+([0-9.]+) secs/, "Total");
  const statusBlock = stdout.split(/Status code distribution:/)[1];
  if (statusBlock === undefined) throw new ParseError(TOOL, "no 'Status code distribution'");
  let ok = 0;
  let bad = 0;
  for (const m of statusBlock.split(/Error distribution:/)[0]!.matchAll(/\[(\d{3})\]\s+(\d+) responses/g)) {
    if (m[1]!.startsWith("2")) ok += Number(m[2]);
    else bad += Number(m[2]);
  }
  let errors = 0;
  const errorBlock = stdout.split(/Error distribution:/)[1];
  if (errorBlock) for (const m of errorBlock.matchAll(/^\s*\[(\d+)\]\s/gm)) errors += Number(m[1]);
  return checkMeasured(TOOL, {
    requests: ok + bad,
    durationSec: totalMs / 1000,
    rps: requireNumber(TOOL, "Requests/sec", rps[1]),
    p50Ms: secs(stdout, /^\s*50% in ([0-9.]+) secs/m, "50% latency"),
    p99Ms: secs(stdout, /^\s*99% in ([0-9.]+) secs/m, "99% latency"),
    maxMs: secs(stdout, /Slowest:\s+([0-9.]+) secs/, "Slowest"),
    failures: bad + errors,
  });
}
