import { controlText } from "./run-control.ts";
import type { AgentActionView, RunControl, RunControlType } from "./types.ts";

/** What a marker stands for: an act of live control, or an agent action the run's timeline fired. */
export type MarkKind = RunControlType | "action";
/** A vertical marker on the charts: at `t` (Unix seconds), with a label. */
export type Annotation = { t: number; kind: MarkKind; label: string };
/** A stretch of a run drawn shaded: from `from` to `to` (Unix seconds), or to the chart's end while it lasts (`to` null). */
export type Span = { from: number; to: number | null };
/** What the charts draw over the data. */
export type ChartMarks = { lines: Annotation[]; spans: Span[] };

export const NO_MARKS: ChartMarks = { lines: [], spans: [] };

const seconds = (iso: string): number => Date.parse(iso) / 1000;

/**
 * A run's live control as chart marks: a line at each pause, resume and scale (in time order; a
 * control of an unreadable time is left out), and a span over each pause, open while it lasts.
 */
export function chartMarks(controls: readonly RunControl[]): ChartMarks {
  const timed = controls
    .map((c, i) => ({ c, t: seconds(c.at), i }))
    .filter((x) => Number.isFinite(x.t))
    .sort((a, b) => a.t - b.t || a.i - b.i);
  const lines = timed.map(({ c, t }) => ({ t, kind: c.type, label: controlText(c) }));
  const spans: Span[] = [];
  let pausedAt: number | null = null;
  for (const { c, t } of timed) {
    if (c.type === "paused" && pausedAt === null) pausedAt = t;
    else if (c.type === "resumed" && pausedAt !== null) {
      spans.push({ from: pausedAt, to: t });
      pausedAt = null;
    }
  }
  if (pausedAt !== null) spans.push({ from: pausedAt, to: null });
  return { lines, spans };
}

/**
 * The time axis' range with the marks in it: when the chart shows all its data (`min` and `max`
 * are its first and last second: not zoomed), widened to take in every mark, so that a control
 * made after the last second drawn (the seconds come a moment late; none may come while paused)
 * is seen at once. A zoomed range, or one without data, is left as it is.
 */
export function rangeWithMarks(
  min: number | null,
  max: number | null,
  first: number | undefined,
  last: number | undefined,
  marks: readonly number[],
): [number | null, number | null] {
  if (min === null || max === null || marks.length === 0 || min !== first || max !== last) return [min, max];
  return [Math.min(min, ...marks), Math.max(max, ...marks)];
}

/** A label's place: its marker's x and its width, in the plot's pixels. */
export type LabelBox = { x: number; width: number };
/** Where a label is drawn: its left edge, and its row from the top (0: first). */
export type PlacedLabel = { left: number; row: number };

/**
 * Where the labels of markers go (pure, in pixels): each just right of its line, or just left of
 * it where it would run past the plot's right edge (never past its left), on the first row from
 * the top where it overlaps no label placed before it (in order of x). With more than `maxRows`
 * rows taken, it goes on the row that ends first: labels may then overlap, lines never hide.
 * Answers in the order given.
 */
export function placeLabels(
  boxes: readonly LabelBox[],
  plotLeft: number,
  plotRight: number,
  { pad = 4, gap = 6, maxRows = 3 }: { pad?: number; gap?: number; maxRows?: number } = {},
): PlacedLabel[] {
  const order = boxes.map((b, i) => ({ b, i })).sort((a, b) => a.b.x - b.b.x || a.i - b.i);
  /** The right edge of the last label of each row. */
  const rowEnds: number[] = [];
  const placed: PlacedLabel[] = new Array(boxes.length);
  for (const { b, i } of order) {
    let left = b.x + pad;
    if (left + b.width > plotRight) left = b.x - pad - b.width;
    left = Math.max(plotLeft, left);
    let row = rowEnds.findIndex((end) => end + gap <= left);
    if (row < 0) {
      if (rowEnds.length < maxRows) row = rowEnds.length;
      else row = rowEnds.indexOf(Math.min(...rowEnds));
    }
    rowEnds[row] = Math.max(rowEnds[row] ?? Number.NEGATIVE_INFINITY, left + b.width);
    placed[i] = { left, row };
  }
  return placed;
}

/** The marker colours (and a pause's shade): amber pause, green resume, violet scale. */
export const MARK_COLOR: Readonly<Record<MarkKind, string>> = {
  paused: "#b45309",
  resumed: "#15803d",
  scaled: "#6d28d9",
  action: "#be123c",
};

const OUTCOME: Readonly<Record<AgentActionView["status"], string>> = {
  requested: "asked",
  started: "running",
  completed: "done",
  failed: "failed",
};

/**
 * The agent actions a run's timeline fired, as lines where they started (or were asked, when
 * they never started), each with its outcome; added to the live control's marks, in time order.
 */
export function withActionMarks(marks: ChartMarks, actions: readonly AgentActionView[]): ChartMarks {
  if (actions.length === 0) return marks;
  const lines = actions
    .map((a) => ({
      t: seconds(a.startedAt ?? a.requestedAt),
      kind: "action" as const,
      label: `${a.action} @${a.agentId}: ${OUTCOME[a.status]}`,
    }))
    .filter((l) => Number.isFinite(l.t));
  return { lines: [...marks.lines, ...lines].sort((a, b) => a.t - b.t), spans: marks.spans };
}
export const PAUSE_SHADE = "rgba(245, 158, 11, 0.10)";
