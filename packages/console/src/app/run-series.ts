import type { LiveSecond } from "./types.ts";

/** The columns the charts draw, one value per second with data; `t` in Unix seconds. */
export const SERIES_KEYS = [
  "t",
  "rps",
  "p50",
  "p90",
  "p95",
  "p99",
  "p999",
  "failures",
  "errorRate",
  "users",
  "dropped",
  "requests",
] as const;
export type SeriesKey = (typeof SERIES_KEYS)[number];
export type Columns = Record<SeriesKey, number[]>;

export type Totals = {
  requests: number;
  failures: number;
  dropped: number;
  checksPassed: number;
  checksFailed: number;
  statusCodes: Record<string, number>;
  failuresByKind: Record<string, number>;
};

const emptyTotals = (): Totals => ({
  requests: 0,
  failures: 0,
  dropped: 0,
  checksPassed: 0,
  checksFailed: 0,
  statusCodes: {},
  failuresByKind: {},
});

function addCounts(into: Record<string, number>, from: Record<string, number> | undefined, sign: 1 | -1): void {
  for (const [k, v] of Object.entries(from ?? {})) {
    const n = (into[k] ?? 0) + sign * v;
    if (n === 0) delete into[k];
    else into[k] = n;
  }
}

/**
 * A run's seconds as they stream in: columns for the charts (sorted by second) and running
 * totals. A second sent again (a late worker's window merged in) replaces the one before, in the
 * columns and in the totals; one arriving out of order is put in its place.
 */
export class RunSeries {
  readonly cols: Columns = Object.fromEntries(SERIES_KEYS.map((k) => [k, [] as number[]])) as unknown as Columns;
  readonly totals: Totals = emptyTotals();
  private readonly seconds: LiveSecond[] = [];
  private readonly index = new Map<number, number>();
  /** Bumped on every change: what a view compares to know it must redraw. */
  version = 0;

  get length(): number {
    return this.seconds.length;
  }

  /** The latest second with data. */
  get latest(): LiveSecond | null {
    return this.seconds[this.seconds.length - 1] ?? null;
  }

  add(s: LiveSecond): void {
    this.version++;
    const at = this.index.get(s.second);
    if (at !== undefined) {
      this.count(this.seconds[at]!, -1);
      this.seconds[at] = s;
      this.write(at, s);
    } else if (this.seconds.length === 0 || s.second > this.seconds[this.seconds.length - 1]!.second) {
      this.index.set(s.second, this.seconds.length);
      this.seconds.push(s);
      this.write(this.seconds.length - 1, s);
    } else {
      let i = this.seconds.findIndex((x) => x.second > s.second);
      if (i < 0) i = this.seconds.length;
      this.seconds.splice(i, 0, s);
      for (const key of SERIES_KEYS) this.cols[key].splice(i, 0, 0);
      this.write(i, s);
      for (let j = i; j < this.seconds.length; j++) this.index.set(this.seconds[j]!.second, j);
    }
    this.count(s, 1);
  }

  private write(i: number, s: LiveSecond): void {
    const a = s.all;
    const c = this.cols;
    c.t[i] = s.second;
    c.rps[i] = a.rps;
    c.p50[i] = a.p50;
    c.p90[i] = a.p90;
    c.p95[i] = a.p95;
    c.p99[i] = a.p99;
    c.p999[i] = a.p999;
    c.failures[i] = a.failures;
    c.errorRate[i] = a.errorRate * 100;
    c.users[i] = a.users;
    c.dropped[i] = a.droppedIterations ?? 0;
    c.requests[i] = a.requests;
  }

  private count(s: LiveSecond, sign: 1 | -1): void {
    const t = this.totals;
    const a = s.all;
    t.requests += sign * a.requests;
    t.failures += sign * a.failures;
    t.dropped += sign * (a.droppedIterations ?? 0);
    t.checksPassed += sign * (a.checksPassed ?? 0);
    t.checksFailed += sign * (a.checksFailed ?? 0);
    addCounts(t.statusCodes, a.statusCodes, sign);
    addCounts(t.failuresByKind, a.failuresByKind, sign);
  }

  /** The highest number of users of any second. */
  peakUsers(): number {
    let peak = 0;
    for (const u of this.cols.users) if (u > peak) peak = u;
    return peak;
  }
}
