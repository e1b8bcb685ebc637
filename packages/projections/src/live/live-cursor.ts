/**
 * Where a live client is, as the SSE `id` it last received. Every run and rollup row remembers
 * the stream sequence that last changed it (`seq`), and a projection commits its batches in
 * sequence order, so "everything changed after the cursor" is a query, and a cursor names
 * exactly what a client has: resuming from it loses nothing and repeats nothing.
 */
export type RunCursor = {
  /** Event-stream sequence of the run state the client has. */
  events: number;
  /** Metrics-stream sequence of the last second it has... */
  metrics: number;
  /** ...and, when it has only some of the seconds changed at that sequence, the last of them (null: all of them). */
  second: number | null;
};

export const RUN_START: RunCursor = { events: 0, metrics: 0, second: null };

export const formatRunCursor = (c: RunCursor): string =>
  c.second === null ? `${c.events}.${c.metrics}` : `${c.events}.${c.metrics}.${c.second}`;

const natural = /^(0|[1-9]\d{0,15})$/;

/** A cursor from a client's Last-Event-ID; null when it is not one. */
export function parseRunCursor(id: string): RunCursor | null {
  const parts = id.trim().split(".");
  if (parts.length < 2 || parts.length > 3 || !parts.every((p) => natural.test(p))) return null;
  const [events, metrics, second] = parts.map(Number) as [number, number, number | undefined];
  return { events, metrics, second: second ?? null };
}

/** A tenant feed's cursor: the event-stream sequence of the last run change the client has. */
export function parseSeqCursor(id: string): number | null {
  const trimmed = id.trim();
  return natural.test(trimmed) ? Number(trimmed) : null;
}

/** True when the second changed at `seq` is one the cursor does not cover yet. */
export const secondIsAfter = (seq: number, second: number, c: Pick<RunCursor, "metrics" | "second">): boolean =>
  seq > c.metrics || (seq === c.metrics && c.second !== null && second > c.second);

/** True when `a` covers less than `b` in either stream. */
export const isBehind = (a: RunCursor, b: RunCursor): boolean =>
  a.events < b.events || a.metrics < b.metrics || (a.metrics === b.metrics && a.second !== null && b.second === null);

/** The furthest of two cursors, stream by stream. */
export function furthest(a: RunCursor, b: RunCursor): RunCursor {
  const metrics =
    a.metrics !== b.metrics
      ? a.metrics > b.metrics
        ? a
        : b
      : { metrics: a.metrics, second: a.second === null || b.second === null ? null : Math.max(a.second, b.second) };
  return { events: Math.max(a.events, b.events), metrics: metrics.metrics, second: metrics.second };
}
