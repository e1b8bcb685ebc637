import { escapeXml as x } from "./format.ts";

/** Inline SVG charts, drawn here: a report opens with no network and no script. */

export type Series = {
  name: string;
  color: string;
  /** One value per x; null: no data there (the line breaks). */
  values: readonly (number | null)[];
  /** Shade the area under the line. */
  area?: boolean;
};

/** An annotation: a dashed vertical line at `x` with a short label at its top (an agent action, say). */
export type ChartMark = { x: number; label: string; color?: string };

export type LineChart = {
  /** `data-chart` of the svg: what tests and styles find it by. */
  id: string;
  /** Accessible name of the chart. */
  title: string;
  xs: readonly number[];
  series: readonly Series[];
  /** Tick labels of each axis. */
  xLabel: (v: number) => string;
  yLabel: (v: number) => string;
  /** The y axis reaches at least this high (so that an all-zero line lies at the bottom, not the middle). */
  yMinMax?: number;
  /** The y grid's step for a maximum (niceStep when not given): byteStep keeps a bytes axis on whole KiB, MiB, GiB. */
  yStep?: (max: number) => number;
  /** x ticks at these values (with these labels) instead of evenly spaced ones. */
  xTicks?: readonly { value: number; label: string }[];
  /** Round markers at each point (few points, such as a percentile curve), with a tooltip each. */
  markers?: (i: number, value: number) => string;
  xDomain?: readonly [number, number];
  /** Vertical marker lines, drawn over the series; those outside the x domain are left out. */
  marks?: readonly ChartMark[];
  width?: number;
  height?: number;
};

const WIDTH = 560;
const HEIGHT = 220;
const M = { top: 12, right: 14, bottom: 26, left: 54 };

const round1 = (v: number): string => {
  const r = Math.round(v * 10) / 10;
  return Number.isInteger(r) ? String(r) : r.toFixed(1);
};

/** A step of 1, 2, 2.5 or 5 times a power of ten that cuts [0, max] into about `count` parts. */
export function niceStep(max: number, count = 4): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * power;
}

/** niceStep in the binary unit that fits (KiB, MiB, GiB...): 512 MiB, 1 GiB, not 953.7 MiB. */
export function byteStep(max: number, count = 4): number {
  if (!(max > 0)) return 1;
  const power = 1024 ** Math.max(0, Math.floor(Math.log(max) / Math.log(1024)));
  return niceStep(max / power, count) * power;
}

/** Seconds between time ticks: a round length that gives at most `count` ticks over `span`. */
export function timeStep(span: number, count = 6): number {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];
  return steps.find((s) => span / s <= count) ?? Math.ceil(span / count / 86_400) * 86_400;
}

type Pt = [number, number];

/**
 * The runs of consecutive points with data, in pixels. Over more points than about two per pixel
 * column, each column keeps its first, lowest, highest and last point: the line looks the same,
 * with a few hundred points instead of thousands.
 */
export function segmentsOf(
  xs: readonly number[],
  values: readonly (number | null)[],
  sx: (v: number) => number,
  sy: (v: number) => number,
  columns: number,
): Pt[][] {
  const segments: Pt[][] = [];
  let current: Pt[] = [];
  const flush = () => {
    if (current.length > 0) segments.push(current);
    current = [];
  };
  const thin = xs.length > columns * 2;
  let col = Number.NaN;
  let colPts: { i: number; v: number }[] = [];
  const emitColumn = () => {
    if (colPts.length === 0) return;
    let lo = colPts[0]!;
    let hi = colPts[0]!;
    for (const p of colPts) {
      if (p.v < lo.v) lo = p;
      if (p.v > hi.v) hi = p;
    }
    const keep = [...new Set([colPts[0]!, lo, hi, colPts[colPts.length - 1]!])].sort((a, b) => a.i - b.i);
    for (const p of keep) current.push([sx(xs[p.i]!), sy(p.v)]);
    colPts = [];
  };
  for (let i = 0; i < xs.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || !Number.isFinite(v)) {
      emitColumn();
      flush();
      continue;
    }
    if (!thin) {
      current.push([sx(xs[i]!), sy(v)]);
      continue;
    }
    const c = Math.floor(sx(xs[i]!));
    if (c !== col) {
      emitColumn();
      col = c;
    }
    colPts.push({ i, v });
  }
  emitColumn();
  flush();
  return segments;
}

const linePath = (segments: Pt[][]): string =>
  segments
    .map((s) => {
      // A lone point still shows: a short dash across it.
      const pts: Pt[] =
        s.length === 1
          ? [
              [s[0]![0] - 2, s[0]![1]],
              [s[0]![0] + 2, s[0]![1]],
            ]
          : s;
      return `M${pts.map(([px, py]) => `${round1(px)},${round1(py)}`).join("L")}`;
    })
    .join("");

const areaPath = (segments: Pt[][], base: number): string =>
  segments
    .map((s) => {
      const pts: Pt[] =
        s.length === 1
          ? [
              [s[0]![0] - 2, s[0]![1]],
              [s[0]![0] + 2, s[0]![1]],
            ]
          : s;
      const first = pts[0]!;
      const last = pts[pts.length - 1]!;
      return `M${round1(first[0])},${round1(base)}L${pts.map(([px, py]) => `${round1(px)},${round1(py)}`).join("L")}L${round1(last[0])},${round1(base)}Z`;
    })
    .join("");

/** A line chart as an inline `<svg>`: horizontal grid lines with y labels, x ticks, one path per series. */
export function lineChart(c: LineChart): string {
  const width = c.width ?? WIDTH;
  const height = c.height ?? HEIGHT;
  const pw = width - M.left - M.right;
  const [x0, x1raw] = c.xDomain ?? [c.xs[0] ?? 0, c.xs[c.xs.length - 1] ?? 1];
  const x1 = x1raw > x0 ? x1raw : x0 + 1;
  const sx = (v: number) => M.left + ((v - x0) / (x1 - x0)) * pw;
  // The marks' labels sit in a band above the plot, where they hide no line.
  const marks = layoutMarks(c.marks ?? [], sx, [x0, x1], M.left + pw);
  const top = M.top + marks.rows * MARK_ROW_HEIGHT;
  const ph = height - top - M.bottom;
  let yMax = c.yMinMax ?? 0;
  for (const s of c.series) for (const v of s.values) if (v !== null && v > yMax) yMax = v;
  const yStep = (c.yStep ?? niceStep)(yMax || 1);
  const yTop = Math.max(yStep, Math.ceil((yMax || 1) / yStep - 1e-9) * yStep);
  const sy = (v: number) => top + ph - (v / yTop) * ph;
  const base = top + ph;

  const parts: string[] = [];
  parts.push(
    `<svg class="chart" data-chart="${x(c.id)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${x(c.title)}" xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">`,
  );
  parts.push(`<title>${x(c.title)}</title>`);
  // Grid and y labels.
  parts.push('<g class="grid">');
  for (let v = 0; v <= yTop + yStep / 2; v += yStep) {
    const py = round1(sy(v));
    parts.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${py}" y2="${py}"${v === 0 ? ' class="axis"' : ""}/>`);
    parts.push(`<text x="${M.left - 8}" y="${py}" dy="0.32em" text-anchor="end">${x(c.yLabel(v))}</text>`);
  }
  // x ticks.
  const ticks =
    c.xTicks ??
    (() => {
      const step = timeStep(x1 - x0);
      const out: { value: number; label: string }[] = [];
      for (let v = Math.ceil(x0 / step) * step; v <= x1 + 1e-9; v += step) out.push({ value: v, label: c.xLabel(v) });
      return out;
    })();
  for (const t of ticks) {
    const px = round1(sx(t.value));
    parts.push(`<line class="tick" x1="${px}" x2="${px}" y1="${base}" y2="${base + 4}"/>`);
    parts.push(`<text x="${px}" y="${base + 16}" text-anchor="middle">${x(t.label)}</text>`);
  }
  parts.push("</g>");

  const drawn = c.series.some((s) => s.values.some((v) => v !== null));
  if (!drawn) {
    parts.push(`<text class="empty" x="${M.left + pw / 2}" y="${top + ph / 2}" text-anchor="middle">No data</text>`);
  } else {
    parts.push('<g class="series">');
    for (const s of c.series) {
      const segments = segmentsOf(c.xs, s.values, sx, sy, pw);
      if (segments.length === 0) continue;
      if (s.area) parts.push(`<path class="area" d="${areaPath(segments, base)}" fill="${s.color}" fill-opacity="0.12" stroke="none"/>`);
      parts.push(
        `<path class="line" data-series="${x(s.name)}" d="${linePath(segments)}" fill="none" stroke="${s.color}" stroke-width="1.75" stroke-linejoin="round" stroke-linecap="round"/>`,
      );
      if (c.markers) {
        s.values.forEach((v, i) => {
          if (v === null) return;
          parts.push(
            `<circle cx="${round1(sx(c.xs[i]!))}" cy="${round1(sy(v))}" r="3" fill="#fff" stroke="${s.color}" stroke-width="1.5"><title>${x(c.markers!(i, v))}</title></circle>`,
          );
        });
      }
    }
    parts.push("</g>");
  }
  if (marks.placed.length > 0) parts.push(drawMarks(marks.placed, base));
  parts.push("</svg>");
  return parts.join("");
}

const MARK_COLOR = "#4b5563";
/** Labels longer than this are cut (the whole label stays in the mark's tooltip). */
const MARK_LABEL_MAX = 40;
/** At most this many rows of labels above the plot: marks close together stack their labels instead of overprinting. */
const MARK_ROWS = 3;
const MARK_ROW_HEIGHT = 12;
/** About how wide a character of a label is, in pixels: enough to tell when two labels would collide. */
const MARK_CHAR_WIDTH = 5.6;

const cutLabel = (label: string): string => (label.length > MARK_LABEL_MAX ? `${label.slice(0, MARK_LABEL_MAX - 1)}…` : label);

type PlacedMark = { label: string; text: string; color: string; px: number; tx: number; anchor: "start" | "end"; row: number };

/**
 * Where each mark inside the x domain goes: its line at its x, its label beside it (on its left
 * when it would run out of the plot), in the first row where it overlaps no other label.
 */
function layoutMarks(
  marks: readonly ChartMark[],
  sx: (v: number) => number,
  [x0, x1]: readonly [number, number],
  right: number,
): { placed: PlacedMark[]; rows: number } {
  const shown = marks.filter((m) => Number.isFinite(m.x) && m.x >= x0 && m.x <= x1).sort((a, b) => a.x - b.x);
  const rowEnds: number[] = [];
  const placed = shown.map((m): PlacedMark => {
    const px = sx(m.x);
    const text = cutLabel(m.label);
    const w = text.length * MARK_CHAR_WIDTH;
    const start = px + 3 + w <= right;
    const [from, to] = start ? [px + 3, px + 3 + w] : [px - 3 - w, px - 3];
    let row = rowEnds.findIndex((end) => end < from);
    if (row === -1) row = rowEnds.length < MARK_ROWS ? rowEnds.length : rowEnds.indexOf(Math.min(...rowEnds));
    rowEnds[row] = to + 4;
    return { label: m.label, text, color: m.color ?? MARK_COLOR, px, tx: start ? px + 3 : px - 3, anchor: start ? "start" : "end", row };
  });
  return { placed, rows: rowEnds.length };
}

/** The marks as dashed vertical lines from their label, in its row of the band above the plot, down to the x axis. */
function drawMarks(marks: readonly PlacedMark[], base: number): string {
  const parts = ['<g class="marks">'];
  for (const m of marks) {
    const color = x(m.color);
    const labelY = M.top + 9 + m.row * MARK_ROW_HEIGHT;
    parts.push(
      `<g class="mark" data-mark="${x(m.label)}"><title>${x(m.label)}</title><line x1="${round1(m.px)}" x2="${round1(m.px)}" y1="${round1(labelY - 9)}" y2="${round1(base)}" stroke="${color}" stroke-width="1.25" stroke-dasharray="4 3"/><text class="mark-label" x="${round1(m.tx)}" y="${round1(labelY)}" text-anchor="${m.anchor}" style="fill:${color}">${x(m.text)}</text></g>`,
    );
  }
  parts.push("</g>");
  return parts.join("");
}

/** A legend to set beside a chart: a swatch and a name per series. */
export function legend(series: readonly Pick<Series, "name" | "color">[]): string {
  return `<span class="legend">${series.map((s) => `<span class="key"><i style="background:${s.color}"></i>${x(s.name)}</span>`).join("")}</span>`;
}
