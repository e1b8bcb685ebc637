// The open-loop floor generator (self-noise/floor.ts): one JSON line on stdout.
import { type Command, checkMeasured, requireNumbers, resultLine, type ToolResult } from "./types.ts";

const TOOL = "floor";
const FIELDS = [
  "requests",
  "durationSec",
  "rps",
  "p50Ms",
  "p99Ms",
  "maxMs",
  "failures",
  "droppedIterations",
  "steadyP99Ms",
  "steadyDropped",
] as const;

export type FloorClient = "raw" | "undici";
/** `max`: connections, all opened ahead (as Loadline opens one for every VU an open executor may hold). */
export type FloorOptions = { url: string; rate: number; durationSec: number; max: number; client: FloorClient };

export function floorCommand(o: FloorOptions, root: string): Command {
  const args = [
    "--import",
    "tsx",
    "bench/self-noise/floor.ts",
    "--url",
    o.url,
    "--rate",
    String(o.rate),
    "--duration",
    String(o.durationSec),
  ];
  args.push("--max", String(o.max), "--client", o.client);
  return { cmd: process.execPath, args, cwd: root };
}

export function parseFloor(stdout: string): ToolResult {
  const n = requireNumbers(TOOL, resultLine(TOOL, stdout), FIELDS);
  return checkMeasured(TOOL, {
    requests: n.requests,
    durationSec: n.durationSec,
    rps: n.rps,
    p50Ms: n.p50Ms,
    p99Ms: n.p99Ms,
    maxMs: n.maxMs,
    failures: n.failures,
    extra: { droppedIterations: n.droppedIterations, steadyP99Ms: n.steadyP99Ms, steadyDropped: n.steadyDropped },
  });
}
