import {
  encodeHistogram,
  GROUP_METHOD,
  INT4_MAX,
  type LatencySummary,
  type MetricsBucket,
  type MetricWindow,
  mergeHistograms,
  mergeProtocols,
  type RequestWindow,
  summarize,
  summarizeEncoded,
  summarizeMerged,
} from "@loadline/core";
import type { MetricRollupRow } from "./schema.ts";

/** The steps every window is rolled up at; 0 is the whole run. */
export const ROLLUP_STEPS = [1, 10, 60, 0] as const;
export type RollupStep = (typeof ROLLUP_STEPS)[number];

/** The series of all request names together. No real request has an empty method. */
export const ALL_REQUESTS = { method: "", name: "" } as const;

export type RollupRow = MetricRollupRow;
export type TenantWindow = MetricWindow & { tenantId: string };

export const bucketOf = (second: number, step: number): number => (step === 0 ? 0 : Math.floor(second / step) * step);

/** Identifies a row: run, step, bucket and series. */
export const rollupKey = (r: Pick<RollupRow, "tenantId" | "runId" | "step" | "bucket" | "method" | "name">): string =>
  `${r.tenantId}\u0000${r.runId}\u0000${r.step}\u0000${r.bucket}\u0000${r.method}\u0000${r.name}`;

function addCounts(into: Record<string, number>, from: Record<string, number> | undefined): Record<string, number> {
  // for-in, not Object.entries: no array per call (it runs twice per request name per window).
  if (from) for (const k in from) into[k] = (into[k] ?? 0) + from[k]!;
  return into;
}

const mergedEncoding = (encoded: readonly string[]): string =>
  encoded.length === 1 ? encoded[0]! : encodeHistogram(mergeHistograms(encoded));

/** The merge of some encodings, encoded, with its summary (taken before encoding: no second decode). */
function mergedWithSummary(encoded: readonly string[]): { histogram: string; latency: LatencySummary } {
  if (encoded.length === 1) return { histogram: encoded[0]!, latency: summarizeEncoded(encoded[0]!) };
  const merged = mergeHistograms(encoded);
  return { histogram: encodeHistogram(merged), latency: summarize(merged) };
}

/** The counters of a row that are not its requests' count and failures, at zero: fresh objects each time (cells add into them). */
const zeroCounters = () => ({
  bytesIn: 0,
  bytesOut: 0,
  failuresByKind: {},
  statusCodes: {},
  iterations: 0,
  droppedIterations: 0,
  checksPassed: 0,
  checksFailed: 0,
  interrupted: 0,
  interruptedIterations: 0,
  protocol: null,
  messagesIn: 0,
  messagesOut: 0,
});

/** A row being summed: histograms are gathered as encodings and merged once at the end. */
type Cell = Omit<RollupRow, "histogram" | "serviceHistogram" | "latency"> & { histograms: string[]; services: string[] };

function emptyCell(key: Pick<RollupRow, "tenantId" | "runId" | "step" | "bucket" | "method" | "name">): Cell {
  return { ...key, seconds: 0, requests: 0, failures: 0, activeUsers: 0, ...zeroCounters(), histograms: [], services: [] };
}

/** Adds a row's figures to a cell; users are left to the caller (summed or maxed). */
function addRow(cell: Cell, row: Omit<RollupRow, "activeUsers" | "seconds" | "step" | "bucket" | "latency">): void {
  cell.requests += row.requests;
  cell.failures += row.failures;
  cell.bytesIn += row.bytesIn;
  cell.bytesOut += row.bytesOut;
  addCounts(cell.failuresByKind, row.failuresByKind);
  addCounts(cell.statusCodes, row.statusCodes);
  cell.iterations += row.iterations;
  cell.droppedIterations += row.droppedIterations;
  cell.checksPassed += row.checksPassed;
  cell.checksFailed += row.checksFailed;
  cell.interrupted += row.interrupted;
  cell.interruptedIterations += row.interruptedIterations;
  cell.messagesIn += row.messagesIn;
  cell.messagesOut += row.messagesOut;
  cell.histograms.push(row.histogram);
  if (row.serviceHistogram) cell.services.push(row.serviceHistogram);
  if (row.protocol !== null && row.protocol !== cell.protocol)
    cell.protocol = mergeProtocols(cell.protocol ?? undefined, row.protocol) ?? null;
}

/** A delta: merged, not summarised (it is only added to the stored rows). */
function deltaOf(cell: Cell): RollupRow {
  const { histograms, services, ...rest } = cell;
  return {
    ...rest,
    histogram: mergedEncoding(histograms),
    serviceHistogram: services.length > 0 ? mergedEncoding(services) : null,
    latency: null,
  };
}

/** A row to store: merged, with its latency summary. */
function rowOf(cell: Cell): RollupRow {
  const { histograms, services, ...rest } = cell;
  return { ...rest, ...mergedWithSummary(histograms), serviceHistogram: services.length > 0 ? mergedEncoding(services) : null };
}

function cellIn(cells: Map<string, Cell>, key: Pick<RollupRow, "tenantId" | "runId" | "step" | "bucket" | "method" | "name">): Cell {
  const k = rollupKey(key);
  let cell = cells.get(k);
  if (!cell) cells.set(k, (cell = emptyCell(key)));
  return cell;
}

/**
 * What a batch of new windows adds at step 1: one row per run, second and request name, and one
 * for all requests, which alone carries the users (summed over workers) and the run counters.
 */
export function secondDeltas(windows: readonly TenantWindow[]): RollupRow[] {
  const named = new Map<string, Cell>();
  const all = new Map<string, Cell>();
  for (const w of windows) {
    const at = { tenantId: w.tenantId, runId: w.runId, step: 1, bucket: w.second };
    const total = cellIn(all, { ...at, ...ALL_REQUESTS });
    total.seconds = 1;
    total.activeUsers += w.activeUsers;
    total.iterations += w.iterations ?? 0;
    total.droppedIterations += w.droppedIterations ?? 0;
    total.interruptedIterations += w.interruptedIterations ?? 0;
    total.checksPassed += w.checksPassed ?? 0;
    total.checksFailed += w.checksFailed ?? 0;
    for (const r of w.requests) {
      const cell = cellIn(named, { ...at, method: r.method, name: r.name });
      cell.seconds = 1;
      addRow(cell, {
        tenantId: w.tenantId,
        runId: w.runId,
        method: r.method,
        name: r.name,
        requests: r.count,
        failures: r.failures,
        bytesIn: r.bytesIn,
        bytesOut: r.bytesOut,
        failuresByKind: r.failuresByKind ?? {},
        statusCodes: r.statusCodes ?? {},
        histogram: r.histogram,
        serviceHistogram: r.serviceHistogram ?? null,
        iterations: 0,
        droppedIterations: 0,
        checksPassed: 0,
        checksFailed: 0,
        interrupted: r.interrupted ?? 0,
        interruptedIterations: 0,
        protocol: r.protocol ?? null,
        messagesIn: r.messagesIn ?? 0,
        messagesOut: r.messagesOut ?? 0,
      });
    }
    // A group's passes are a row of their own, method GROUP; their requests are in the rows above.
    for (const g of w.groups ?? []) {
      const cell = cellIn(named, { ...at, method: GROUP_METHOD, name: g.name });
      cell.seconds = 1;
      addRow(cell, {
        ...zeroCounters(),
        serviceHistogram: null,
        tenantId: w.tenantId,
        runId: w.runId,
        method: GROUP_METHOD,
        name: g.name,
        requests: g.count,
        failures: g.failures,
        histogram: g.histogram,
      });
    }
  }
  const namedRows = [...named.values()].map(deltaOf);
  // The all-requests row merges the per-name merges (each window's histograms read once), groups left out: their requests are in.
  for (const row of namedRows) if (row.method !== GROUP_METHOD) addRow(cellIn(all, { ...row, ...ALL_REQUESTS }), row);
  return [...namedRows, ...[...all.values()].map(deltaOf)];
}

/** The keys of every row the step-1 deltas touch, at every step. */
export function touchedKeys(deltas: readonly RollupRow[]): Pick<RollupRow, "tenantId" | "runId" | "step" | "bucket">[] {
  const keys = new Map<string, Pick<RollupRow, "tenantId" | "runId" | "step" | "bucket">>();
  for (const d of deltas) {
    for (const step of ROLLUP_STEPS) {
      const key = { tenantId: d.tenantId, runId: d.runId, step, bucket: bucketOf(d.bucket, step) };
      keys.set(`${key.tenantId}\u0000${key.runId}\u0000${step}\u0000${key.bucket}`, key);
    }
  }
  return [...keys.values()];
}

/**
 * The rows to write: the stored rows the deltas touch, with the deltas added. Counts and
 * histograms add at every step; a longer bucket gains a second when a step-1 row is new, and
 * keeps the users of its busiest second. `existing` may hold more rows than are touched.
 */
export function applyDeltas(existing: readonly RollupRow[], deltas: readonly RollupRow[]): RollupRow[] {
  const stored = new Map(existing.map((r) => [rollupKey(r), r]));
  const cells = new Map<string, Cell>();
  const start = (key: Pick<RollupRow, "tenantId" | "runId" | "step" | "bucket" | "method" | "name">): Cell => {
    const k = rollupKey(key);
    let cell = cells.get(k);
    if (cell) return cell;
    cell = emptyCell(key);
    const before = stored.get(k);
    if (before) {
      addRow(cell, before);
      cell.seconds = before.seconds;
      cell.activeUsers = before.activeUsers;
    }
    cells.set(k, cell);
    return cell;
  };

  for (const d of deltas) {
    const second = start(d);
    const isNewSecond = !stored.has(rollupKey(d));
    addRow(second, d);
    second.seconds = 1;
    // Saturates at what metric_rollups.active_users (int4) holds: each window's count fits it (the
    // schema), but thousands of absurd ones could add up past it and fail the batch at every retry.
    second.activeUsers = Math.min(INT4_MAX, second.activeUsers + d.activeUsers);
    for (const step of ROLLUP_STEPS) {
      if (step === 1) continue;
      const parent = start({ ...d, step, bucket: bucketOf(d.bucket, step) });
      addRow(parent, d);
      if (isNewSecond) parent.seconds += 1;
    }
  }
  // Users of a longer bucket: its busiest second, known once every second's sum is final.
  for (const cell of cells.values()) {
    if (cell.step !== 1) continue;
    for (const step of ROLLUP_STEPS) {
      if (step === 1) continue;
      const parent = cells.get(rollupKey({ ...cell, step, bucket: bucketOf(cell.bucket, step) }))!;
      parent.activeUsers = Math.max(parent.activeUsers, cell.activeUsers);
    }
  }
  return [...cells.values()].map(rowOf);
}

/** A run of buckets of one step: from `first` to `last` bucket starts, inclusive. */
export type RollupPiece = { step: 1 | 10 | 60; first: number; last: number };

/**
 * The fewest rollup buckets that tile the seconds [from, to] exactly: seconds up to the first
 * 10 s boundary, tens up to the first minute, whole minutes, then tens and seconds again.
 */
export function coverRange(from: number, to: number): RollupPiece[] {
  const pieces: RollupPiece[] = [];
  let at = from;
  const take = (step: 1 | 10 | 60, until: number) => {
    // Buckets of `step` that start at `at` and end by `until` (exclusive).
    const count = Math.floor((until - at) / step);
    if (count <= 0) return;
    pieces.push({ step, first: at, last: at + (count - 1) * step });
    at += count * step;
  };
  const end = to + 1;
  const up = (step: number) => Math.min(end, Math.ceil(at / step) * step);
  take(1, up(10));
  take(10, up(60));
  take(60, end);
  take(10, end);
  take(1, end);
  return pieces;
}

/** A rollup row read as the figures of a request window, which the metrics math takes. */
export function asRequest(r: RollupRow): RequestWindow {
  return {
    name: r.name,
    method: r.method,
    count: r.requests,
    failures: r.failures,
    bytesIn: r.bytesIn,
    bytesOut: r.bytesOut,
    histogram: r.histogram,
    ...(r.serviceHistogram ? { serviceHistogram: r.serviceHistogram } : {}),
    failuresByKind: r.failuresByKind,
    statusCodes: r.statusCodes,
    interrupted: r.interrupted,
    ...(r.protocol ? { protocol: r.protocol } : {}),
    ...(r.messagesIn > 0 ? { messagesIn: r.messagesIn } : {}),
    ...(r.messagesOut > 0 ? { messagesOut: r.messagesOut } : {}),
  };
}

/** A rollup row as read for a series: its stored summary, and its histogram only where it has none. */
export type SummaryRow = Omit<RollupRow, "histogram" | "serviceHistogram"> & { histogram: string | null };

/** The exact summary of a row: stored, or (older rows) from its histogram. */
const latencyOf = (r: SummaryRow): LatencySummary => r.latency ?? summarizeMerged(r.histogram ? [r.histogram] : []);

/** An all-requests row as a series bucket: its own figures, or those of the name rows given. */
export function asBucket(all: RollupRow, named?: readonly RollupRow[]): MetricsBucket {
  return {
    start: all.bucket,
    seconds: all.seconds,
    users: all.activeUsers,
    requests: (named ?? [all]).map(asRequest),
    interruptedIterations: all.interruptedIterations,
  };
}

/**
 * The same from the one summary row that holds the whole bucket (all requests, or the one series
 * asked for); users and interrupted iterations, run figures, come from the all-requests row.
 */
export function summaryBucket(row: SummaryRow, all: Pick<SummaryRow, "activeUsers" | "interruptedIterations"> = row): MetricsBucket {
  return {
    start: row.bucket,
    seconds: row.seconds,
    users: all.activeUsers,
    requests: [],
    interruptedIterations: all.interruptedIterations,
    summary: { requests: row.requests, failures: row.failures, interrupted: row.interrupted, latency: latencyOf(row) },
  };
}
