// The self-noise section's table and verdicts (issue 24). Pure: tested directly.
import { fmt, markdownTable } from "../lib/table.ts";
import { ms } from "../report.ts";
import { type Outcome, reason } from "../report-outcome.ts";

/** The goals, each checked against the figures of the same run. */
export const SELF_NOISE_GOALS = {
  quietP99Ms: 1,
  quietMaxMs: 10,
  busyP99Ms: 5,
  /** The achieved rate at the throughput row, as a share of the asked one. */
  achievedShare: 0.99,
  /** How far above the delay target's own p99 the generator's may be. */
  delayP99MarginMs: 2,
  closedVsAutocannon: 1.2,
} as const;

export type OpenCase = "quiet" | "busy" | "throughput" | "delay";

/** The floor generators (floor.ts) by client, as the table names them: references, not judged. */
export const FLOOR_GENERATORS = { raw: "floor: raw sockets", undici: "floor: undici Client", c: "floor: C, epoll" } as const;

export type SelfNoiseData = {
  durationSec: number;
  open: {
    case: OpenCase;
    target: string;
    /** "loadline", or one of FLOOR_GENERATORS' names. */
    generator: string;
    rate: number;
    maxVus: number;
    outcome: Outcome;
    targetP99Ms?: number | null;
  }[];
  closed: { tool: string; connections: number; outcome: Outcome }[];
};

type Result = Extract<Outcome, { ok: true }>["result"];
const dropped = (r: Result): number => r.extra?.droppedIterations ?? 0;

/** What the generator said of itself over the run: its worst second's loop delay and timer slip p95, and how many seconds it was saturated. */
function generatorSaid(r: Result): string {
  const e = r.extra;
  if (e?.generatorLoopDelayP95Ms === undefined) return "—";
  return `${ms(e.generatorLoopDelayP95Ms)} / ${ms(e.generatorSlipP95Ms ?? NaN)}, ${fmt(e.generatorSaturatedSeconds ?? 0, 0)} s`;
}

/** The p99 and dropped iterations from 2 s into the run on (local-run's and the floor's steady figures): the start left out. */
function steadySaid(r: Result): string {
  const e = r.extra;
  if (e?.steadyP99Ms === undefined) return "—";
  return `${ms(e.steadyP99Ms)} / ${fmt(e.steadyDropped ?? 0, 0)}`;
}

/** PASS or FAIL for one open row, with what decided it. */
export function openVerdict(c: OpenCase, rate: number, r: Result, targetP99Ms?: number | null): string {
  const g = SELF_NOISE_GOALS;
  const pass = (ok: boolean, why: string) => `${ok ? "PASS" : "FAIL"} (${why})`;
  switch (c) {
    case "quiet":
      return pass(r.p99Ms < g.quietP99Ms && (r.maxMs ?? Infinity) < g.quietMaxMs, `p99 ${ms(r.p99Ms)}, max ${ms(r.maxMs ?? NaN)} ms`);
    case "busy":
      return pass(r.p99Ms < g.busyP99Ms, `p99 ${ms(r.p99Ms)} ms`);
    case "throughput":
      return pass(
        dropped(r) === 0 && r.rps >= g.achievedShare * rate,
        `${fmt((r.rps / rate) * 100, 1)}% of the rate, ${fmt(dropped(r), 0)} dropped`,
      );
    case "delay":
      if (targetP99Ms === undefined || targetP99Ms === null) return "— (the target gave no timings)";
      return pass(r.p99Ms - targetP99Ms <= g.delayP99MarginMs, `${ms(r.p99Ms - targetP99Ms)} ms above the target's own p99`);
  }
}

const GOAL_TEXT: Record<OpenCase, string> = {
  quiet: `p99 < ${SELF_NOISE_GOALS.quietP99Ms} ms, max < ${SELF_NOISE_GOALS.quietMaxMs} ms`,
  busy: `p99 < ${SELF_NOISE_GOALS.busyP99Ms} ms`,
  throughput: "0 dropped, ≥ 99% of the rate",
  delay: `p99 ≤ target's p99 + ${SELF_NOISE_GOALS.delayP99MarginMs} ms`,
};

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Each tool's closed-loop runs, in the order of its first: those measured, and why one was not. */
function closedByTool(closed: SelfNoiseData["closed"]): Map<string, { connections: number; results: Result[]; failed?: Outcome }> {
  const tools = new Map<string, { connections: number; results: Result[]; failed?: Outcome }>();
  for (const { tool, connections, outcome } of closed) {
    let t = tools.get(tool);
    if (!t) tools.set(tool, (t = { connections, results: [] }));
    if (outcome.ok) t.results.push(outcome.result);
    else t.failed ??= outcome;
  }
  return tools;
}

export function closedVerdict(loadlineRps: number, autocannonRps: number): string {
  const ratio = loadlineRps / autocannonRps;
  return `${ratio >= SELF_NOISE_GOALS.closedVsAutocannon ? "PASS" : "FAIL"} (${fmt(ratio, 2)}× autocannon)`;
}

/** Which columns of the closed-loop table hold numbers (right-aligned). */
const CLOSED_RIGHT_ALIGNED = [false, true, true, true, true, false];

export function selfNoiseTable(d: SelfNoiseData): string {
  const open = d.open.map(({ case: c, target, generator, rate, maxVus, outcome: o, targetP99Ms }) => {
    const judged = generator === "loadline";
    const goal = judged ? GOAL_TEXT[c] : "";
    if (!o.ok) return [target, generator, fmt(rate, 0), fmt(maxVus, 0), "—", "—", "—", "—", "—", "—", "—", "—", goal, reason(o)];
    const r = o.result;
    return [
      target,
      generator,
      fmt(rate, 0),
      fmt(maxVus, 0),
      fmt(r.rps, 0),
      fmt(dropped(r), 0),
      ms(r.p50Ms),
      ms(r.p99Ms),
      ms(r.maxMs ?? NaN),
      steadySaid(r),
      targetP99Ms === undefined || targetP99Ms === null ? "—" : ms(targetP99Ms),
      generatorSaid(r),
      goal,
      (judged ? openVerdict(c, rate, r, targetP99Ms) : "reference") + (o.note ? `; ${o.note}` : ""),
    ];
  });
  const tools = closedByTool(d.closed);
  const autocannon = tools.get("autocannon");
  const closed = [...tools].map(([tool, { connections, results, failed }]) => {
    if (results.length === 0) return [tool, fmt(connections, 0), "—", "—", "—", failed ? reason(failed) : ""];
    const rps = mean(results.map((r) => r.rps));
    const each = results.length > 1 ? ` (${results.map((r) => fmt(r.rps, 0)).join(", ")})` : "";
    return [
      tool,
      fmt(connections, 0),
      fmt(rps, 0) + each,
      ms(mean(results.map((r) => r.p50Ms))),
      ms(mean(results.map((r) => r.p99Ms))),
      [
        tool === "loadline" && autocannon?.results.length ? closedVerdict(rps, mean(autocannon.results.map((r) => r.rps))) : "",
        failed ? `a run ${reason(failed)}` : "",
      ]
        .filter(Boolean)
        .join("; "),
    ];
  });
  return [
    `### Self-noise — the generator's own latency and rate (issue 24): targets on core 0, the generator on core 1 (1 thread), ${d.durationSec} s a run`,
    "",
    "Open model (constant-arrival-rate; latency from each iteration's intended start, so the generator's own stalls count in it):",
    "",
    markdownTable(
      [
        "target",
        "generator",
        "asked /s",
        "max VUs",
        "achieved /s",
        "dropped",
        "p50 ms",
        "p99 ms",
        "max ms",
        "from 2 s on: p99 ms / dropped",
        "target's own p99 ms",
        "generator: loop / slip p95 ms (worst s), saturated",
        "goal",
        "verdict",
      ],
      open,
      [false, false, true, true, true, true, true, true, true, true, true, true, false, false],
    ),
    "",
    "The loop / slip column is local-run's own health figures (issue 24): when they are small and the p99 is not, the late responses were not the generator's. The floor rows are the same open model with nothing else (bench/self-noise/floor.ts: arrivals, an HDR histogram, the same pool and busy-poll) over raw sockets and over undici's Client: what any Node generator could do on this host, measured in the same run; and in C (floor.c: epoll busy-polled the whole run, no timer, collector or interpreter): what this host's loopback, target and scheduling leave to any generator. The verdicts judge the whole run; the \"from 2 s on\" column leaves out its first two seconds, where V8 compiles the generator's hot paths on the same core (bench/results/self-noise.md), to show the steady state apart.",
    "",
    "Closed loop against nginx, the same connections, one after the other in the order Loadline, autocannon, autocannon, Loadline (a drift of the host's speed falls on both alike); each tool's mean, its runs in brackets:",
    "",
    markdownTable(["generator", "connections", "requests/s", "p50 ms", "p99 ms", "verdict"], closed, CLOSED_RIGHT_ALIGNED),
  ].join("\n");
}
