import type { LaneHold, RunState } from "./run.ts";

/** How much of its planned load a run ran: what `run.completed` records of a run that started. */
export type RunCoverage = {
  /** Lane-time held by a live worker over the planned lane-time, 0..1 (rounded down to 4 places: never shown as whole when it was not). */
  coverage: number;
  /** Some planned lane-time was held by nobody. */
  degraded: boolean;
  /** When degraded: which lanes, for how long, whose loss left them and who took them. */
  reason?: string;
};

type Interval = { from: number; to: number };
/** Time no worker held some lanes: the worker whose loss left them (if any), and who took them back and when (none: nobody did before the end). */
type Gap = Interval & { lane: number; lostWorker?: string; takenBy?: string };

/**
 * The run's planned window: from `startedAt` to its due end (startedAt + duration), or to the
 * stop or the completion if that came first. A stop asked for early shortens what was planned;
 * a stop that came late (the orchestrator was down at the due end) does not lengthen it.
 */
function plannedWindow(state: RunState, finishedAt: string): Interval | undefined {
  if (!state.startedAt || !state.parameters) return undefined;
  const from = Date.parse(state.startedAt);
  const due = from + state.parameters.durationSec * 1000;
  return { from, to: Math.max(from, Math.min(due, Date.parse(state.stoppingAt ?? finishedAt))) };
}

/** A hold cut to the window: assigned before the run started counts from its start (the run starts only once every such worker is ready). */
const clip = (h: LaneHold, w: Interval): Interval => ({
  from: Math.max(w.from, h.from ? Date.parse(h.from) : w.from),
  to: Math.min(w.to, h.until ? Date.parse(h.until) : w.to),
});

/** The stretches of the window in which nobody held the lane. */
function gapsOf(lane: number, holds: readonly LaneHold[], w: Interval): Gap[] {
  const held = holds
    .filter((h) => h.lane === lane)
    .map((h) => ({ hold: h, ...clip(h, w) }))
    .filter((h) => h.to > h.from) // held for none of the window: lost before it began, say
    .sort((a, b) => a.from - b.from);
  const gaps: Gap[] = [];
  let covered = w.from;
  let lastHolder: string | undefined;
  for (const h of held) {
    if (h.from > covered) gaps.push({ lane, from: covered, to: h.from, lostWorker: lastHolder, takenBy: h.hold.workerId });
    if (h.to > covered) {
      covered = h.to;
      lastHolder = h.hold.workerId;
    }
  }
  if (covered < w.to) gaps.push({ lane, from: covered, to: w.to, lostWorker: lastHolder });
  return gaps;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const pad = (n: number) => String(n).padStart(2, "0");
/** A point in the run, as time since its start to the tenth of a second: 00:05.2, 1:02:03.0. */
function clock(ms: number): string {
  const tenths = Math.floor(Math.max(0, ms) / 100);
  const s = Math.floor(tenths / 10);
  const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
  const sec = `${pad(s % 60)}.${tenths % 10}`;
  return h > 0 ? `${h}:${pad(m)}:${sec}` : `${pad(m)}:${sec}`;
}

/** The losses a reason names; the rest are counted. A fleet losing hundreds of workers must not make an event of megabytes. */
const MAX_NAMED = 10;

/** One sentence per loss (the gaps one lost worker left, taken back by the same worker at the same time, or not at all), earliest first. */
function describe(gaps: readonly Gap[], laneCount: number, w: Interval): string {
  const episodes = new Map<string, Gap[]>();
  for (const g of gaps) {
    const key = JSON.stringify([g.lostWorker, g.from, g.takenBy, g.to]);
    episodes.set(key, [...(episodes.get(key) ?? []), g]);
  }
  const sentences = [...episodes.values()]
    .sort((a, b) => a[0]!.from - b[0]!.from)
    .map((same) => {
      const g = same[0]!;
      const lanes = same.map((x) => x.lane).sort((a, b) => a - b);
      const [noun, verb, them] = lanes.length === 1 ? ["lane", "was", "it"] : ["lanes", "were", "them"];
      const why = g.lostWorker
        ? `worker ${g.lostWorker} was last heard from ${clock(g.from - w.from)} into the run`
        : `no worker held ${them}`;
      const after = g.takenBy ? `${g.takenBy} took ${them} at ${clock(g.to - w.from)}` : `nobody took ${them} before the end`;
      return `${noun} ${lanes.join(", ")} of ${laneCount} ${verb} not run for ${seconds(g.to - g.from)} of ${seconds(w.to - w.from)}: ${why}, and ${after}`;
    });
  const more = sentences.length - MAX_NAMED;
  return [...sentences.slice(0, MAX_NAMED), ...(more > 0 ? [`and ${more} more such ${more === 1 ? "gap" : "gaps"}`] : [])].join("; ");
}

/**
 * What share of the planned load ran, from the run's own record: each lane is held from its
 * assignment (or the run's start) until its worker was last heard from; the planned lane-time is
 * every lane over the planned window. Undefined for a run that never started. Pure: a replay of
 * the same events gives the same answer.
 */
export function runCoverage(state: RunState, finishedAt: string): RunCoverage | undefined {
  const w = plannedWindow(state, finishedAt);
  if (!w || state.laneCount === 0) return undefined;
  const planned = state.laneCount * (w.to - w.from);
  if (planned === 0) return { coverage: 1, degraded: false };
  const gaps = Array.from({ length: state.laneCount }, (_, lane) => gapsOf(lane, state.holds, w)).flat();
  const missing = gaps.reduce((sum, g) => sum + (g.to - g.from), 0);
  if (missing === 0) return { coverage: 1, degraded: false };
  const coverage = Math.floor(((planned - missing) / planned) * 10_000) / 10_000;
  return { coverage, degraded: true, reason: describe(gaps, state.laneCount, w) };
}
