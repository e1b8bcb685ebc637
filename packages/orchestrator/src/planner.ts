import {
  type Demand,
  type Executor,
  executorMaxVUs,
  laneDemand,
  matchesSelector,
  maxLanes,
  type Placement,
  peakRate,
  type WorkerShare,
} from "@loadline/core";

/** A live worker as planning sees it: what it can hold, and what its runs hold of it already. */
export type Candidate = {
  workerId: string;
  labels: Record<string, string>;
  capacity: { maxVUs: number; maxArrivalRate: number };
  committed: Demand;
  /** Its load-generating threads (capacity.threads): recorded with its share, what the run's cost counts. */
  threads?: number | undefined;
};

/** A share's vCPUs, when the candidate said its threads. */
const vcpusOf = (c: Candidate): { vcpus?: number } => (c.threads !== undefined ? { vcpus: c.threads } : {});

/** `fleetTooSmall`: too few workers now, which a fleet still starting up may mend; short capacity is final. */
export type Plan = { ok: true; laneCount: number; assignments: WorkerShare[] } | { ok: false; reason: string; fleetTooSmall?: true };
/** Who takes which lanes; `left`: lanes nobody has room for, and why (the first of them). */
export type Reassignment = { assignments: WorkerShare[]; left: number[]; reason?: string };

/** A worker never gets more lanes than this: each lane is an executor run (and its own VU pool) on it. */
const MAX_LANES_PER_WORKER = 8;

const free = (c: Candidate): Demand => ({
  vus: Math.max(0, c.capacity.maxVUs - c.committed.vus),
  arrivalRate: Math.max(0, c.capacity.maxArrivalRate - c.committed.arrivalRate),
});
const fits = (need: Demand, room: Demand): boolean => need.vus <= room.vus && need.arrivalRate <= room.arrivalRate + 1e-9;
/** VUs, and iterations/s when the run starts any (`asked`): the figures a reason compares. */
const describe = (d: Demand, asked: Demand = d): string =>
  `${d.vus} VUs${asked.arrivalRate > 0 ? ` and ${Math.round(d.arrivalRate)} iterations/s` : ""}`;
const selectorText = (p: Placement | undefined) =>
  p?.selector && Object.keys(p.selector).length > 0
    ? ` matching ${Object.entries(p.selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(",")}`
    : "";

/** Most free VUs first; the id settles ties, so the same fleet gives the same plan. */
const byRoom = (a: Candidate, b: Candidate) => free(b).vus - free(a).vus || a.workerId.localeCompare(b.workerId);

/**
 * Cuts a run into lanes and gives each chosen worker some, in proportion to its free capacity:
 * `placement.workers` workers, or the fewest that hold the run. Fails with the reason when no
 * worker matches the selector, too few do, or their capacity is short.
 */
export function planRun(candidates: readonly Candidate[], executors: readonly Executor[], placement?: Placement): Plan {
  const matching = candidates.filter((c) => matchesSelector(c.labels, placement?.selector));
  const usable = matching.filter((c) => free(c).vus > 0).sort(byRoom);
  const where = selectorText(placement);
  if (matching.length === 0) return { ok: false, reason: `no live worker${where} to run the load`, fleetTooSmall: true };
  const total: Demand = {
    vus: executors.reduce((n, e) => n + executorMaxVUs(e), 0),
    arrivalRate: executors.reduce((n, e) => n + peakRate(e), 0),
  };
  let count = placement?.workers;
  if (count !== undefined && usable.length < count) {
    const reason = `${count} workers asked, but only ${usable.length} live worker${usable.length === 1 ? "" : "s"}${where} ha${usable.length === 1 ? "s" : "ve"} room`;
    return { ok: false, reason, fleetTooSmall: true };
  }
  if (count === undefined) {
    const room: Demand = { vus: 0, arrivalRate: 0 };
    count =
      usable.findIndex((c) => {
        room.vus += free(c).vus;
        room.arrivalRate += free(c).arrivalRate;
        return fits(total, room);
      }) + 1;
    if (count === 0) {
      const all = usable.reduce((r, c) => ({ vus: r.vus + free(c).vus, arrivalRate: r.arrivalRate + free(c).arrivalRate }), {
        vus: 0,
        arrivalRate: 0,
      });
      return {
        ok: false,
        reason: `capacity is short: the run needs ${describe(total)}, ${usable.length} live workers${where} have ${describe(all, total)} free`,
      };
    }
  }
  const lanesMax = maxLanes(executors);
  if (count > lanesMax)
    return { ok: false, reason: `the run cannot be spread over ${count} workers: its smallest workload has ${lanesMax} VUs` };

  const chosen = usable.slice(0, count);
  const smallest = Math.min(...chosen.map((c) => free(c).vus));
  const lanes = chosen.map((c) => Math.min(MAX_LANES_PER_WORKER, Math.max(1, Math.round(free(c).vus / smallest))));
  while (lanes.reduce((a, b) => a + b, 0) > lanesMax) lanes[lanes.indexOf(Math.max(...lanes))]! -= 1;
  const laneCount = lanes.reduce((a, b) => a + b, 0);

  const assignments: WorkerShare[] = [];
  let next = 0;
  for (const [i, c] of chosen.entries()) {
    const own = Array.from({ length: lanes[i]! }, () => next++);
    const need = laneDemand(executors, own, laneCount);
    if (!fits(need, free(c)))
      return {
        ok: false,
        reason: `capacity is short: worker ${c.workerId} would need ${describe(need)}, it has ${describe(free(c), need)} free`,
      };
    assignments.push({ workerId: c.workerId, lanes: own, vus: need.vus, arrivalRate: need.arrivalRate, ...vcpusOf(c) });
  }
  return { ok: true, laneCount, assignments };
}

/**
 * Gives lanes out (a lost worker's, or lanes nobody holds), one at a time, each to the worker
 * with the most room left for it: workers already in the run first, then any other live worker
 * matching the run's placement. Never to a worker the run lost before. A lane nobody has room
 * for is left, not a reason to give out none: the others run meanwhile.
 */
export function planReassignment(
  candidates: readonly Candidate[],
  run: {
    executors: readonly Executor[];
    laneCount: number;
    placement?: Placement | undefined;
    inRun: readonly string[];
    excluded: readonly string[];
  },
  lanes: readonly number[],
): Reassignment {
  const pool = candidates
    .filter((c) => !run.excluded.includes(c.workerId) && matchesSelector(c.labels, run.placement?.selector))
    .map((c) => ({ c, room: free(c), lanes: [] as number[], need: { vus: 0, arrivalRate: 0 } }));
  const left: number[] = [];
  let reason: string | undefined;
  for (const lane of lanes) {
    const need = laneDemand(run.executors, [lane], run.laneCount);
    const takers = pool.filter((p) => fits(need, p.room));
    if (takers.length === 0) {
      left.push(lane);
      reason ??= `no live worker${selectorText(run.placement)} has room for lane ${lane} (${describe(need)})`;
      continue;
    }
    const rank = (p: (typeof pool)[number]) => [run.inRun.includes(p.c.workerId) ? 0 : 1, -(p.room.vus - need.vus)] as const;
    takers.sort((a, b) => rank(a)[0] - rank(b)[0] || rank(a)[1] - rank(b)[1] || a.c.workerId.localeCompare(b.c.workerId));
    const taker = takers[0]!;
    taker.lanes.push(lane);
    taker.room = { vus: taker.room.vus - need.vus, arrivalRate: taker.room.arrivalRate - need.arrivalRate };
    taker.need = { vus: taker.need.vus + need.vus, arrivalRate: taker.need.arrivalRate + need.arrivalRate };
  }
  return {
    assignments: pool
      .filter((p) => p.lanes.length > 0)
      .map((p) => ({ workerId: p.c.workerId, lanes: p.lanes, vus: p.need.vus, arrivalRate: p.need.arrivalRate, ...vcpusOf(p.c) })),
    left,
    ...(reason ? { reason } : {}),
  };
}
