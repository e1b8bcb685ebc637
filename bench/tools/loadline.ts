// Loadline's benchmark CLI (packages/worker/src/local-run.ts): one JSON line on stdout.
import {
  type Command,
  checkMeasured,
  type LoadOptions,
  ParseError,
  requireNumber,
  requireNumbers,
  resultLine,
  type ToolResult,
} from "./types.ts";

const TOOL = "loadline";
/** The CLI, relative to the repository root; `LOADLINE_LOCAL_RUN` points elsewhere (another build, a stand-in). */
export const LOCAL_RUN = process.env.LOADLINE_LOCAL_RUN ?? "packages/worker/src/local-run.ts";

export type LoadlineOptions = LoadOptions & {
  threads?: number;
  /** Open model: constant arrival rate (requests/s); `connections` is then the preallocated VUs. */
  rate?: number;
  maxVus?: number;
  /** Offer HTTP/2 (`--http2`), and accept any certificate (`--insecure`: the bench's self-signed target). */
  http2?: boolean;
  insecure?: boolean;
};

/** `LOADLINE_CMD` (words split on spaces) replaces `node --import tsx` if set. */
export function loadlineCommand(o: LoadlineOptions, root: string, env = process.env): Command {
  const runner = env.LOADLINE_CMD ? env.LOADLINE_CMD.split(" ").filter(Boolean) : [process.execPath, "--import", "tsx"];
  const args = [
    ...runner.slice(1),
    LOCAL_RUN,
    "--url",
    o.url,
    "--connections",
    String(o.connections),
    "--duration",
    String(o.durationSec),
    "--threads",
    String(o.threads ?? 1),
  ];
  if (o.rate !== undefined) args.push("--rate", String(o.rate), "--max-vus", String(o.maxVus ?? o.connections));
  if (o.http2) args.push("--http2");
  if (o.insecure) args.push("--insecure");
  args.push("--json");
  return { cmd: runner[0]!, args, cwd: root };
}

const REQUIRED = ["requests", "durationSec", "rps", "p50Ms", "p99Ms", "maxMs", "failures", "droppedIterations", "rssMb"] as const;
const OPTIONAL = ["servicep50Ms", "servicep99Ms", "steadyP99Ms", "steadyDropped"] as const;

export function parseLoadline(stdout: string): ToolResult {
  const j = resultLine(TOOL, stdout);
  const missing = REQUIRED.filter((k) => !(k in j));
  if (missing.length) throw new ParseError(TOOL, `missing ${missing.join(", ")}`);
  const n = requireNumbers(TOOL, j, REQUIRED);
  const opt = Object.fromEntries(
    OPTIONAL.map((k) => [k, j[k] === undefined || j[k] === null ? undefined : requireNumber(TOOL, k, j[k])]),
  ) as Record<(typeof OPTIONAL)[number], number | undefined>;
  return checkMeasured(TOOL, {
    requests: n.requests,
    durationSec: n.durationSec,
    rps: n.rps,
    p50Ms: n.p50Ms,
    p99Ms: n.p99Ms,
    maxMs: n.maxMs,
    failures: n.failures,
    extra: {
      droppedIterations: n.droppedIterations,
      rssMb: n.rssMb,
      servicep50Ms: opt.servicep50Ms,
      servicep99Ms: opt.servicep99Ms,
      steadyP99Ms: opt.steadyP99Ms,
      steadyDropped: opt.steadyDropped,
      ...generatorFigures(j.generator),
    },
  });
}

/** The generator's own health over the run (issue 24), when local-run gives it: its worst second's loop delay and timer slip p95, and its saturated seconds. */
function generatorFigures(g: unknown): Record<string, number> {
  if (!g || typeof g !== "object") return {};
  const h = g as Record<string, unknown>;
  return {
    generatorLoopDelayP95Ms: requireNumber(TOOL, "generator.loopDelayP95Ms", h.loopDelayP95Ms),
    generatorSlipP95Ms: requireNumber(TOOL, "generator.timerSlipP95Ms", h.timerSlipP95Ms),
    generatorSaturatedSeconds: requireNumber(TOOL, "generator.saturatedSeconds", h.saturatedSeconds),
  };
}
