// The open-loop floor generators (self-noise/floor.ts, floor.c): one JSON line on stdout.
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

/** floor.ts over raw sockets or undici's Client, or floor.c (the same open model without Node). */
export type FloorClient = "raw" | "undici" | "c";
/** `max`: connections, all opened ahead (as Loadline opens one for every VU an open executor may hold). */
export type FloorOptions = { url: string; rate: number; durationSec: number; max: number; client: FloorClient };

/** `cFloor`: floor.c built (bench/run.sh builds it, BENCH_C_FLOOR), which the "c" client runs. */
export function floorCommand(o: FloorOptions, root: string, cFloor = ""): Command {
  const model = ["--url", o.url, "--rate", String(o.rate), "--duration", String(o.durationSec), "--max", String(o.max)];
  if (o.client === "c") return { cmd: cFloor, args: model, cwd: root };
  return { cmd: process.execPath, args: ["--import", "tsx", "bench/self-noise/floor.ts", ...model, "--client", o.client], cwd: root };
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
