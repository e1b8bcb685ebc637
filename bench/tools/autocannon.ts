// autocannon (root devDependency): `-c N -d D -j`, one JSON object on stdout. Latencies are whole ms.
import { type Command, checkMeasured, type LoadOptions, ParseError, requireNumber, type ToolResult } from "./types.ts";

const TOOL = "autocannon";

export function autocannonCommand(o: LoadOptions, root: string): Command {
  return { cmd: `${root}/node_modules/.bin/autocannon`, args: ["-c", String(o.connections), "-d", String(o.durationSec), "-j", o.url] };
}

export function parseAutocannon(stdout: string): ToolResult {
  const line = stdout
    .split("\n")
    .map((l) => l.trim())
    .reverse()
    .find((l) => l.startsWith("{"));
  if (!line) throw new ParseError(TOOL, "no JSON object on stdout");
  let j: any;
  try {
    j = JSON.parse(line);
  } catch (e) {
    throw new ParseError(TOOL, `bad JSON: ${(e as Error).message}`);
  }
  if (typeof j.latency !== "object" || typeof j.requests !== "object") throw new ParseError(TOOL, "no latency/requests objects");
  const requests = requireNumber(TOOL, "requests.total", j.requests.total);
  const durationSec = requireNumber(TOOL, "duration", j.duration);
  const failures =
    requireNumber(TOOL, "errors", j.errors) + requireNumber(TOOL, "timeouts", j.timeouts) + requireNumber(TOOL, "non2xx", j.non2xx);
  return checkMeasured(TOOL, {
    requests,
    durationSec,
    rps: durationSec > 0 ? requests / durationSec : 0,
    p50Ms: requireNumber(TOOL, "latency.p50", j.latency.p50),
    p99Ms: requireNumber(TOOL, "latency.p99", j.latency.p99),
    maxMs: requireNumber(TOOL, "latency.max", j.latency.max),
    failures,
    extra: { avgOfSecondsRps: requireNumber(TOOL, "requests.average", j.requests.average) },
  });
}
