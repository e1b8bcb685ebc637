// Thresholds evaluated centrally as the windows of every worker arrive, on the exact merged data: whole-run
// figures from merged HDR histograms and summed counters (never lists of samples), and sliding windows
// (`over`) from per-second buckets kept only as long as the longest window, plus a few seconds of lateness, needs.
import * as hdr from "hdr-histogram-js";
import { addEncoded, encodeHistogram } from "../histogram/codec.ts";
import { loweredMin, newLatencyHistogram, raisedMax } from "../histogram/latency-histogram.ts";
import { type LatencySummary, summarize, summarizeEncoded } from "../histogram/summary.ts";
import type { MetricWindow, RequestWindow } from "../schemas/metrics.ts";
import type { ParsedThreshold, ThresholdOp, ThresholdScope } from "./parse.ts";
import type { ThresholdResult } from "./threshold-types.ts";

/**
 * A baseline run's whole-run figures, by `ParsedThreshold.id` (metric, canonical scope, aggregation):
 * what `snapshot()` gives after a baseline run's windows were added, with the same thresholds. Plain JSON.
 * A relative rule (`p(95) < baseline * 1.10`) compares with the value under its own id; when there is no
 * baseline, or it has no value under that id (nothing measured), the rule cannot fail: it reports what was
 * observed and `passed: true`.
 */
export type ThresholdBaseline = { values: Record<string, number | null> };

export type ThresholdTrackerOptions = {
  /** The scenario of a request name, for `{scenario:...}` scopes (none match without it). */
  scenarioOf?: (requestName: string) => string | undefined;
  /** The tags of a request name's steps, for `{tag:NAME=VALUE}` scopes (none match without them). */
  tagsOf?: (requestName: string) => Readonly<Record<string, string>> | undefined;
  baseline?: ThresholdBaseline;
  /**
   * Seconds a sliding window waits for late windows after its end, unless every worker seen has already
   * sent a later second (each worker publishes in order). Later windows still count in the whole run and
   * in windows not evaluated yet. Default 2.
   */
  lateSec?: number;
};

export const DEFAULT_LATE_SEC = 2;
/** A bucket's histograms are merged into one once this many wait (memory, for the long steps of long windows). */
const COMPACT_AFTER = 64;

type Counts = Map<string, number>;
const bump = (c: Counts, key: string, n: number): void => {
  if (n !== 0) c.set(key, (c.get(key) ?? 0) + n);
};

/** Window-wide figures (not per request), as counters. */
function addWindowCounts(c: Counts, w: MetricWindow): void {
  bump(c, "iterations", w.iterations ?? 0);
  bump(c, "dropped", w.droppedIterations ?? 0);
  bump(c, "interruptedIterations", w.interruptedIterations ?? 0);
  bump(c, "checksPassed", w.checksPassed ?? 0);
  bump(c, "checksFailed", w.checksFailed ?? 0);
}

/** One request window's counters: totals, failures by kind, responses by code and class. */
function addRequestCounts(c: Counts, r: RequestWindow): void {
  bump(c, "requests", r.count);
  bump(c, "failures", r.failures);
  bump(c, "interrupted", r.interrupted ?? 0);
  for (const [kind, n] of Object.entries(r.failuresByKind ?? {})) bump(c, `kind:${kind}`, n);
  for (const [code, n] of Object.entries(r.statusCodes ?? {})) {
    bump(c, `code:${code}`, n);
    if (/^\d\d\d$/.test(code)) bump(c, `class:${code[0]}xx`, n);
    bump(c, "responses", n);
  }
}

const ms = (us: number): number => Math.round(us) / 1000;
const STANDARD_PERCENTILES: ReadonlyMap<number, keyof LatencySummary> = new Map([
  [50, "p50"],
  [90, "p90"],
  [95, "p95"],
  [99, "p99"],
  [99.9, "p999"],
]);

function jsHistogram(): hdr.JsHistogram {
  const h = newLatencyHistogram();
  if (!(h instanceof hdr.JsHistogram)) throw new Error("newLatencyHistogram must build a JS histogram");
  return h;
}

/**
 * A latency histogram reused (reset, not rebuilt) to merge a bucket's histograms and to read one back for a
 * subtraction: building one costs a 70+ KB counts array, a reset only zeroes it. Valid until the next call.
 */
let scratch: hdr.JsHistogram | undefined;
function scratchOf(encoded: readonly string[]): hdr.JsHistogram {
  scratch ??= jsHistogram();
  scratch.reset();
  for (const e of encoded) addEncoded(scratch, e);
  return scratch;
}

/** An exact merge of encoded histograms that can also take some back out; its summary cached until it changes. */
class Merged {
  private h: hdr.JsHistogram | undefined;
  private cached: LatencySummary | undefined;

  add(encoded: string): void {
    this.h ??= jsHistogram();
    addEncoded(this.h, encoded);
    this.cached = undefined;
  }

  /**
   * Takes out the counts of `encoded`, which were added before (bucket by bucket: see `Bucket`), and sets
   * minNonZeroValue / maxValue to what a fresh merge of what is left would have: the same figures follow.
   */
  subtract(encoded: string): void {
    const h = this.h;
    if (!h) throw new Error("subtracting from an empty merge");
    // Read back with addEncoded, as it was added: the same counts at the same indexes.
    const d = scratchOf([encoded]);
    const zeros = d.getCountAtIndex(0);
    if (zeros !== 0) h.addToCountAtIndex(0, -zeros);
    if (d.minNonZeroValue <= d.maxValue) {
      const top = Math.min(d.countsArrayIndex(d.maxValue), d.countsArrayLength - 1);
      for (let i = Math.max(1, d.countsArrayIndex(d.minNonZeroValue)); i <= top; i++) {
        const c = d.getCountAtIndex(i);
        if (c !== 0) h.addToCountAtIndex(i, -c);
      }
    }
    h.setTotalCount(h.totalCount - d.totalCount);
    this.cached = undefined;
    if (h.totalCount === 0) {
      h.reset();
      return;
    }
    let maxIndex = Math.min(h.countsArrayIndex(h.maxValue), h.countsArrayLength - 1);
    while (maxIndex > 0 && h.getCountAtIndex(maxIndex) === 0) maxIndex--;
    let minIndex = -1;
    if (h.minNonZeroValue !== Number.MAX_SAFE_INTEGER) {
      for (let i = Math.max(1, h.countsArrayIndex(h.minNonZeroValue)); i <= maxIndex; i++) {
        if (h.getCountAtIndex(i) !== 0) {
          minIndex = i;
          break;
        }
      }
    }
    h.maxValue = raisedMax(h, 0, maxIndex);
    h.minNonZeroValue = minIndex > 0 ? loweredMin(h, Number.MAX_SAFE_INTEGER, minIndex) : Number.MAX_SAFE_INTEGER;
  }

  /** The summary, as summarize / summarizeMerged give it for the same histograms; null when empty. */
  summary(): LatencySummary | null {
    if (!this.h || this.h.totalCount === 0) return null;
    this.cached ??= summarize(this.h);
    return this.cached;
  }

  /** p(N) in ms: the summary's own percentiles, p(0) its min and p(100) its max, others as getValueAtPercentile gives them. */
  percentile(p: number): number | null {
    const s = this.summary();
    if (!s || !this.h) return null;
    if (p === 0) return s.min;
    if (p === 100) return s.max;
    const standard = STANDARD_PERCENTILES.get(p);
    return standard ? s[standard] : ms(this.h.getValueAtPercentile(p));
  }
}

/** The figures a rule is evaluated on: the whole run's, or a window's. */
type Figures = { counts: Counts; seconds: number; latency: Merged; service: Merged };

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

/** A rule's value on some figures; null when nothing it needs was measured (no requests, no checks...). */
function ruleValue(rule: ParsedThreshold, f: Figures): number | null {
  const c = (key: string): number => f.counts.get(key) ?? 0;
  const { aggregation: a, scope } = rule;
  const perSecond = (n: number): number | null => ratio(n, f.seconds);
  switch (rule.metric) {
    case "latency":
    case "service_time": {
      const m = rule.metric === "latency" ? f.latency : f.service;
      const s = m.summary();
      if (!s) return null;
      if (a.name === "p") return m.percentile(a.percentile);
      return a.name === "min" ? s.min : a.name === "max" ? s.max : s.mean;
    }
    case "error_rate":
      return ratio(c("failures"), c("requests"));
    case "failures": {
      const n = scope.kind ? c(`kind:${scope.kind}`) : c("failures");
      return a.name === "count" ? n : ratio(n, c("requests"));
    }
    case "status": {
      const n = scope.code !== undefined ? c(`code:${scope.code}`) : c(`class:${scope.class}`);
      return a.name === "count" ? n : ratio(n, c("responses"));
    }
    case "checks": {
      const passed = c("checksPassed");
      const failed = c("checksFailed");
      return a.name === "passes" ? passed : a.name === "fails" ? failed : ratio(passed, passed + failed);
    }
    case "rps":
      return perSecond(c("requests"));
    case "requests":
      return a.name === "count" ? c("requests") : perSecond(c("requests"));
    case "iterations":
      return a.name === "count" ? c("iterations") : perSecond(c("iterations"));
    case "dropped_iterations":
      return a.name === "count" ? c("dropped") : perSecond(c("dropped"));
    case "interrupted_iterations":
      return c("interruptedIterations");
    case "interrupted_requests":
      return c("interrupted");
    case "sut":
      return null; // judged on the SUT's seconds (sutValue), never on metric windows
  }
}

/** A value at percentile `p` (0..100) of sorted values, nearest rank. */
const nearestRank = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

/** A `sut` rule's value over the seconds kept for its series (one agent's, when scoped); null when none came. */
function sutValue(rule: ParsedThreshold, samples: ReadonlyMap<string, number> | undefined): number | null {
  const values = [...(samples ?? new Map<string, number>())]
    .filter(([key]) => rule.scope.agent === undefined || key.startsWith(`${rule.scope.agent}@`))
    .map(([, v]) => v);
  if (values.length === 0) return null;
  const a = rule.aggregation;
  if (a.name === "min") return Math.min(...values);
  if (a.name === "max") return Math.max(...values);
  if (a.name === "p")
    return nearestRank(
      [...values].sort((x, y) => x - y),
      a.percentile,
    );
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function holds(observed: number, op: ThresholdOp, limit: number): boolean {
  switch (op) {
    case "<":
      return observed < limit;
    case "<=":
      return observed <= limit;
    case ">":
      return observed > limit;
    case ">=":
      return observed >= limit;
    case "==":
      return observed === limit;
    case "!=":
      return observed !== limit;
  }
}

/** One bucket of `step` seconds: its counters and the histograms that arrived for it (merged into one when it enters a window). */
type Bucket = { counts: Counts; latency: string[]; service: string[]; compact: boolean };

/** A sliding window of `length` seconds over a slide's buckets: the running sum of the buckets from `lo` to `hi`. */
class Running implements Figures {
  readonly counts: Counts = new Map();
  readonly latency = new Merged();
  readonly service = new Merged();
  lo: number | null = null;
  hi: number | null = null;
  /** The start of the next window to evaluate; null until the first can be. */
  nextStart: number | null = null;
  readonly rules: RuleState[] = [];
  constructor(readonly seconds: number) {}
}

/** Buckets of `step` seconds, epoch-aligned, for the windows of one scope that slide by that step. */
class Slide {
  readonly buckets = new Map<number, Bucket>();
  readonly windows = new Map<number, Running>();
  /** Buckets below this start are no longer needed (every window is past them). */
  horizon = -Infinity;
  latency = false;
  service = false;
  constructor(readonly step: number) {}
}

/** One selection of requests (all, a name with or without its method, a scenario): its whole-run figures and slides. */
class Series {
  readonly counts: Counts = new Map();
  readonly latency = new Merged();
  readonly service = new Merged();
  readonly slides = new Map<number, Slide>();
  needsLatency = false;
  needsService = false;
  constructor(readonly filter: Pick<ThresholdScope, "name" | "method" | "scenario" | "tag">) {}
}

type RuleState = {
  rule: ParsedThreshold;
  series: Series;
  running?: Running;
  /** Sliding windows: how many had a value, whether one crossed (and the last such window's end), what to report. */
  crossed: boolean;
  lastCrossEnd: number | null;
  reported: number | null;
};

/** Seconds seen from one worker, as sorted disjoint [from, to] ranges: one range for a worker that reports every second. */
export class SecondSet {
  private readonly ranges: number[] = [];

  /** The index of the first range whose end is >= s - 1: where s is, joins, or goes before. */
  private find(s: number): number {
    const r = this.ranges;
    let lo = 0;
    let hi = r.length / 2;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (r[2 * mid + 1]! < s - 1) lo = mid + 1;
      else hi = mid;
    }
    return 2 * lo;
  }

  has(s: number): boolean {
    const i = this.find(s);
    return i < this.ranges.length && this.ranges[i]! <= s && s <= this.ranges[i + 1]!;
  }

  /** Adds `s`; false when it was there already. */
  add(s: number): boolean {
    const r = this.ranges;
    const i = this.find(s);
    if (i < r.length && r[i]! <= s && s <= r[i + 1]!) return false;
    if (i < r.length && r[i + 1] === s - 1) {
      r[i + 1] = s;
      if (i + 2 < r.length && r[i + 2] === s + 1) r.splice(i + 1, 2); // joins the next range
    } else if (i < r.length && r[i] === s + 1) {
      r[i] = s;
    } else {
      r.splice(i, 0, s, s);
    }
    return true;
  }
  /** How many ranges it keeps (1 for a worker that sent every second). */
  get rangeCount(): number {
    return this.ranges.length / 2;
  }
}

const alignUp = (second: number, step: number): number => Math.ceil(second / step) * step;
const seriesKey = (s: ThresholdScope): string => JSON.stringify([s.name ?? null, s.method ?? null, s.scenario ?? null, s.tag ?? null]);

/**
 * The thresholds of one run, evaluated as its windows arrive, from any number of workers, in any order,
 * late or twice (a worker's second counts once: the first copy, as the read side keeps it).
 *
 * Whole-run rules are evaluated on everything added so far: their verdict may change as the run goes
 * on. A rule with `over` fails once any complete window of that length (sliding by 1 s up to 10m, by
 * 10 s up to 1h, by 60 s beyond, starting no earlier than the run's first second) crossed: a window is
 * evaluated once its end is settled (every worker seen has sent a later second, or `lateSec` passed, or
 * `finish()`); its observed value is the worst window's (highest for < and <=, lowest for > and >=; for
 * == and != the first crossing window's, else the latest). Before any window, observed is null.
 *
 * Memory: per scope, merged histograms and counters for the whole run; for each `over` step, buckets of
 * the last (longest window + lateness) seconds only, one compact encoded histogram each.
 */
export class ThresholdTracker {
  private readonly states: RuleState[];
  private readonly series: Series[] = [];
  private readonly scenarioOf: ((name: string) => string | undefined) | undefined;
  private readonly scenarios = new Map<string, string | undefined>();
  private readonly tagsOf: ((name: string) => Readonly<Record<string, string>> | undefined) | undefined;
  private readonly baseline: ThresholdBaseline | undefined;
  private readonly lateSec: number;
  private readonly seen = new Map<string, SecondSet>();
  private readonly latest = new Map<string, number>();
  /** The SUT's seconds, by series its rules name: `<agentId>@<second>` to the value (a second sent twice counts once). */
  private readonly sut = new Map<string, Map<string, number>>();
  private first: number | null = null;
  private last: number | null = null;
  private finished = false;

  constructor(parsed: readonly ParsedThreshold[], opts: ThresholdTrackerOptions = {}) {
    this.scenarioOf = opts.scenarioOf;
    this.tagsOf = opts.tagsOf;
    this.baseline = opts.baseline;
    this.lateSec = Math.max(0, Math.floor(opts.lateSec ?? DEFAULT_LATE_SEC));
    const byKey = new Map<string, Series>();
    for (const rule of parsed) if (rule.metric === "sut" && rule.scope.series) this.sut.set(rule.scope.series, new Map());
    this.states = parsed.map((rule) => {
      const key = seriesKey(rule.scope);
      let series = byKey.get(key);
      if (!series) {
        const { name, method, scenario, tag } = rule.scope;
        series = new Series({
          ...(name !== undefined ? { name } : {}),
          ...(method ? { method } : {}),
          ...(scenario ? { scenario } : {}),
          ...(tag ? { tag } : {}),
        });
        byKey.set(key, series);
        this.series.push(series);
      }
      const latency = rule.metric === "latency";
      const service = rule.metric === "service_time";
      series.needsLatency ||= latency;
      series.needsService ||= service;
      const state: RuleState = { rule, series, crossed: false, lastCrossEnd: null, reported: null };
      if (rule.over) {
        const { seconds, stepSec } = rule.over;
        let slide = series.slides.get(stepSec);
        if (!slide) series.slides.set(stepSec, (slide = new Slide(stepSec)));
        slide.latency ||= latency;
        slide.service ||= service;
        let running = slide.windows.get(seconds);
        if (!running) slide.windows.set(seconds, (running = new Running(seconds)));
        running.rules.push(state);
        state.running = running;
      }
      return state;
    });
  }

  /** A baseline from a baseline run's windows: the whole-run figures of these thresholds (`snapshot()`). */
  static baselineOf(
    parsed: readonly ParsedThreshold[],
    windows: Iterable<MetricWindow>,
    opts: Pick<ThresholdTrackerOptions, "scenarioOf" | "tagsOf"> = {},
  ): ThresholdBaseline {
    const t = new ThresholdTracker(parsed, opts);
    for (const w of windows) t.add(w);
    return t.snapshot();
  }

  /**
   * Adds one worker's window. A second already added from that worker is ignored. A histogram that does
   * not decode throws before anything is counted.
   */
  add(w: MetricWindow): void {
    let seconds = this.seen.get(w.workerId);
    if (seconds?.has(w.second)) return;
    const matched = this.series.map((s) => w.requests.filter((r) => this.matches(s, r)));
    // Every histogram this window brings is checked before any state changes.
    const checked = new Set<string>();
    const check = (encoded: string) => {
      if (!checked.has(encoded)) summarizeEncoded(encoded); // throws what addEncoded would
      checked.add(encoded);
    };
    this.series.forEach((s, i) => {
      for (const r of matched[i]!) {
        if (s.needsLatency) check(r.histogram);
        if (s.needsService && r.serviceHistogram) check(r.serviceHistogram);
      }
    });
    if (!seconds) this.seen.set(w.workerId, (seconds = new SecondSet()));
    seconds.add(w.second);
    this.latest.set(w.workerId, Math.max(this.latest.get(w.workerId) ?? -Infinity, w.second));
    this.first = this.first === null ? w.second : Math.min(this.first, w.second);
    this.last = this.last === null ? w.second : Math.max(this.last, w.second);

    this.series.forEach((s, i) => {
      const requests = matched[i]!;
      addWindowCounts(s.counts, w);
      for (const r of requests) {
        addRequestCounts(s.counts, r);
        if (s.needsLatency) s.latency.add(r.histogram);
        if (s.needsService && r.serviceHistogram) s.service.add(r.serviceHistogram);
      }
      for (const slide of s.slides.values()) this.addToSlide(slide, w, requests);
    });
    this.advance();
  }

  /** Whether any rule is on the system under test: only then are the SUT's seconds worth adding. */
  get judgesSut(): boolean {
    return this.sut.size > 0;
  }

  /** One second of one SUT agent (its telemetry, flattened into named series): the values its rules name are kept. */
  addSut(agentId: string, second: number, values: Readonly<Record<string, number>>): void {
    for (const [series, samples] of this.sut) {
      const v = values[series];
      if (v !== undefined && Number.isFinite(v)) samples.set(`${agentId}@${second}`, v);
    }
  }

  /** The run is over: no more windows are waited for; every complete window is evaluated. */
  finish(): void {
    this.finished = true;
    this.advance();
  }

  /** Every threshold's outcome so far, in declaration order. */
  results(): ThresholdResult[] {
    return this.states.map((s) => this.resultOf(s));
  }

  /** The thresholds failed now. */
  crossed(): ThresholdResult[] {
    return this.results().filter((r) => !r.passed);
  }

  /**
   * The first failed threshold (declaration order) that aborts the run, once `elapsedSec` (since the run
   * started) reached its delayAbortEvalSec; null when none. A sliding one counts only windows that ended
   * after its delay (the run's first second being its start): a warm-up crossing does not abort.
   */
  abortDue(elapsedSec: number): ThresholdResult | null {
    for (const s of this.states) {
      const { abortOnFail, delayAbortEvalSec, over } = s.rule;
      if (!abortOnFail || elapsedSec < delayAbortEvalSec) continue;
      if (over) {
        if (s.lastCrossEnd !== null && this.first !== null && s.lastCrossEnd - this.first + 1 >= delayAbortEvalSec) return this.resultOf(s);
        continue;
      }
      const result = this.resultOf(s);
      if (!result.passed) return result;
    }
    return null;
  }

  /** The whole-run figures of these thresholds by id: a baseline for later runs. */
  snapshot(): ThresholdBaseline {
    const values: Record<string, number | null> = {};
    for (const s of this.states) values[s.rule.id] = this.wholeRun(s);
    return { values };
  }

  /** Buckets held for sliding windows, over every scope and step: what the memory bound is about. */
  bufferedBuckets(): number {
    let n = 0;
    for (const s of this.series) for (const slide of s.slides.values()) n += slide.buckets.size;
    return n;
  }

  // ---- evaluation ---------------------------------------------------------------------------------

  private resultOf(s: RuleState): ThresholdResult {
    const { rule } = s;
    const base = { metric: rule.key, expression: rule.expression, abortOnFail: rule.abortOnFail };
    if (rule.over) return { ...base, observed: s.reported, passed: !s.crossed, over: rule.over.text };
    const observed = this.wholeRun(s);
    const limit = this.limitOf(rule);
    return { ...base, observed, passed: observed === null || limit === null || holds(observed, rule.op, limit) };
  }

  private wholeRun(s: RuleState): number | null {
    if (s.rule.metric === "sut") return sutValue(s.rule, this.sut.get(s.rule.scope.series ?? ""));
    if (this.first === null || this.last === null) return null;
    const { counts, latency, service } = s.series;
    return ruleValue(s.rule, { counts, latency, service, seconds: this.last - this.first + 1 });
  }

  /** The number the rule compares with; null when it is relative and the baseline has no value for it. */
  private limitOf(rule: ParsedThreshold): number | null {
    const { limit } = rule;
    if ("value" in limit) return limit.value;
    const b = this.baseline?.values[rule.id];
    if (b === undefined || b === null) return null;
    return limit.baseline === "*" ? b * limit.operand : limit.baseline === "+" ? b + limit.operand : b - limit.operand;
  }

  /** A closed window's verdict, for every rule on it. */
  private evaluateWindow(running: Running, end: number): void {
    for (const s of running.rules) {
      const { rule } = s;
      const v = ruleValue(rule, running);
      if (v === null) continue;
      const limit = this.limitOf(rule);
      const crosses = limit !== null && !holds(v, rule.op, limit);
      if (rule.op === "<" || rule.op === "<=") s.reported = s.reported === null ? v : Math.max(s.reported, v);
      else if (rule.op === ">" || rule.op === ">=") s.reported = s.reported === null ? v : Math.min(s.reported, v);
      else if (!s.crossed) s.reported = v;
      if (crosses) {
        s.crossed = true;
        s.lastCrossEnd = end;
      }
    }
  }

  // ---- sliding windows ----------------------------------------------------------------------------

  private matches(s: Series, r: RequestWindow): boolean {
    const { name, method, scenario, tag } = s.filter;
    if (name !== undefined && r.name !== name) return false;
    if (method !== undefined && r.method !== method) return false;
    if (tag !== undefined) {
      const at = tag.indexOf("=");
      if (this.tagsOf?.(r.name)?.[tag.slice(0, at)] !== tag.slice(at + 1)) return false;
    }
    if (scenario !== undefined) {
      if (!this.scenarios.has(r.name)) this.scenarios.set(r.name, this.scenarioOf?.(r.name));
      if (this.scenarios.get(r.name) !== scenario) return false;
    }
    return true;
  }

  private addToSlide(slide: Slide, w: MetricWindow, requests: readonly RequestWindow[]): void {
    const start = Math.floor(w.second / slide.step) * slide.step;
    if (start < slide.horizon) return; // every window over it was evaluated: too late for them
    let bucket = slide.buckets.get(start);
    if (!bucket) slide.buckets.set(start, (bucket = { counts: new Map(), latency: [], service: [], compact: true }));
    // Windows holding this bucket already take the late data too, so that taking the bucket out later balances.
    const holding = [...slide.windows.values()].filter((r) => r.lo !== null && r.hi !== null && r.lo <= start && start <= r.hi);
    for (const counts of [bucket.counts, ...holding.map((r) => r.counts)]) {
      addWindowCounts(counts, w);
      for (const r of requests) addRequestCounts(counts, r);
    }
    for (const r of requests) {
      if (slide.latency) {
        bucket.latency.push(r.histogram);
        for (const h of holding) h.latency.add(r.histogram);
      }
      if (slide.service && r.serviceHistogram) {
        bucket.service.push(r.serviceHistogram);
        for (const h of holding) h.service.add(r.serviceHistogram);
      }
    }
    if (requests.length > 0) bucket.compact = false;
    if (bucket.latency.length > COMPACT_AFTER || bucket.service.length > COMPACT_AFTER) compact(bucket);
  }

  /** Seconds up to which windows are complete: every worker seen has passed them, or lateSec did. */
  private settled(): number | null {
    if (this.last === null) return null;
    if (this.finished) return this.last;
    let slowest = Infinity;
    for (const s of this.latest.values()) slowest = Math.min(slowest, s);
    return Math.max(this.last - this.lateSec, slowest);
  }

  /** Evaluates every window that became complete, and drops the buckets no window needs any more. */
  private advance(): void {
    const settled = this.settled();
    if (settled === null || this.first === null) return;
    for (const series of this.series) {
      for (const slide of series.slides.values()) {
        let horizon = Infinity;
        for (const running of slide.windows.values()) {
          this.slideTo(slide, running, settled, this.first);
          horizon = Math.min(horizon, running.lo ?? running.nextStart ?? -Infinity);
        }
        slide.horizon = horizon;
        for (const start of slide.buckets.keys()) if (start < horizon) slide.buckets.delete(start);
      }
    }
  }

  private slideTo(slide: Slide, running: Running, settled: number, first: number): void {
    const { step } = slide;
    const length = running.seconds;
    if (running.nextStart === null) {
      const start = alignUp(first, step);
      if (start + length - 1 > settled) return; // no complete window yet: the first second may still move
      running.nextStart = start;
    }
    for (let start = running.nextStart; start + length - 1 <= settled; start = running.nextStart) {
      const end = start + length - 1;
      const held = this.assemble(slide, running, start, end);
      if (held > 0) {
        this.evaluateWindow(running, end);
        running.nextStart = start + step;
        continue;
      }
      // An empty window: every window before the next bucket's is the same. Evaluate one, as the last of them.
      let next = Infinity;
      for (const b of slide.buckets.keys()) if (b > end - step + 1) next = Math.min(next, b);
      const lastStart = Math.min(next === Infinity ? Infinity : alignUp(next - length + 1, step) - step, settled - length + 1);
      const skipTo = Math.max(start, Math.floor(lastStart / step) * step);
      this.evaluateWindow(running, skipTo + length - 1);
      running.nextStart = skipTo + step;
    }
  }

  /** Makes `running` hold exactly the buckets of [start, end]; returns how many it holds. */
  private assemble(slide: Slide, running: Running, start: number, end: number): number {
    const top = end - slide.step + 1;
    const { lo, hi } = running;
    let held = 0;
    for (const [b, bucket] of slide.buckets) {
      const was = lo !== null && hi !== null && b >= lo && b <= hi;
      const is = b >= start && b <= top;
      if (was && !is) this.take(slide, running, bucket, -1);
      else if (!was && is) this.take(slide, running, bucket, 1);
      if (is) held++;
    }
    running.lo = start;
    running.hi = top;
    return held;
  }

  /** Adds (sign 1) or takes out (-1) a bucket's figures. */
  private take(slide: Slide, running: Running, bucket: Bucket, sign: 1 | -1): void {
    for (const [k, v] of bucket.counts) bump(running.counts, k, sign * v);
    compact(bucket);
    if (slide.latency) for (const h of bucket.latency) sign > 0 ? running.latency.add(h) : running.latency.subtract(h);
    if (slide.service) for (const h of bucket.service) sign > 0 ? running.service.add(h) : running.service.subtract(h);
  }
}

/** Merges a bucket's histograms into one each, exactly (a bucket then holds one short string per kind). */
function compact(bucket: Bucket): void {
  if (bucket.compact && bucket.latency.length <= 1 && bucket.service.length <= 1) return;
  if (bucket.latency.length > 1) bucket.latency = [encodeHistogram(scratchOf(bucket.latency))];
  if (bucket.service.length > 1) bucket.service = [encodeHistogram(scratchOf(bucket.service))];
  bucket.compact = true;
}
