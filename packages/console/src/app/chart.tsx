import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { type ChartMarks, MARK_COLOR, NO_MARKS, PAUSE_SHADE, placeLabels, rangeWithMarks } from "./annotations.ts";

export type ChartSeries = {
  label: string;
  color: string;
  /** Which axis: "y" (left, default) or "y2" (right). */
  scale?: "y" | "y2";
  /** Hidden until its legend entry is clicked. */
  hidden?: boolean;
  fill?: boolean;
  format: (v: number) => string;
};

export type ChartProps = {
  title: string;
  series: ChartSeries[];
  /** [t, ...one column per series]; the same arrays may be handed again, grown. */
  data: () => uPlot.AlignedData;
  /** Changes when the data did: the chart redraws then (at most once a frame). */
  version: number;
  /** Tick labels; `counts` marks an axis of whole numbers (no tick between 0 and 1). */
  axes: { y: (v: number) => string; y2?: (v: number) => string; counts?: { y?: boolean; y2?: boolean } };
  height?: number;
  id: string;
  /** Lines with labels (the run's live control) and shaded spans (its pauses) drawn over the data. */
  marks?: ChartMarks;
};

/** Time ticks at whole seconds and round minutes or hours. */
const TIME_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
/** Count ticks: whole numbers, 1-2-5 steps. */
const COUNT_INCRS = [1, 2, 5].flatMap((m) => [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8].map((p) => m * p)).sort((a, b) => a - b);

const pad = (n: number) => String(n).padStart(2, "0");
function clock(sec: number, withSeconds: boolean): string {
  const d = new Date(sec * 1000);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}${withSeconds ? `:${pad(d.getSeconds())}` : ""}`;
}

/** What the marks are, as a string: they are drawn again when it changes. */
const marksKeyOf = (m: ChartMarks | undefined): string =>
  m ? `${m.lines.map((l) => `${l.t} ${l.label}`).join(",")};${m.spans.map((s) => `${s.from}-${s.to}`).join(",")}` : "";

/** A series' latest value: what the legend shows while the cursor is off the chart. */
function latest(u: uPlot, seriesIdx: number): number | null {
  const col = u.data[seriesIdx];
  if (!col) return null;
  for (let i = col.length - 1; i >= 0; i--) {
    const v = col[i];
    if (v !== null && v !== undefined) return v;
  }
  return null;
}

const LABEL_FONT_PX = 10;
const LABEL_ROW_PX = 15;

/**
 * Draws the marks over the plot (uPlot's `draw` hook, in canvas pixels): each span shaded, each
 * line dashed from top to bottom with its label in a box at the top (placeLabels keeps the boxes
 * apart). Marks outside the time shown are left out. Says on `host` how many lines it drew and
 * their labels (`data-annotations`, `data-annotation-labels`): what a test reads of a canvas.
 */
function drawMarks(u: uPlot, marks: ChartMarks, host: HTMLElement): void {
  const { ctx } = u;
  const { left, top, width, height } = u.bbox;
  const xMin = u.scales.x?.min;
  const xMax = u.scales.x?.max;
  const shown = xMin === undefined || xMax === undefined ? [] : marks.lines.filter((l) => l.t >= xMin && l.t <= xMax);
  host.dataset.annotations = String(shown.length);
  host.dataset.annotationLabels = shown.map((l) => l.label).join("|");
  if (xMin === undefined || xMax === undefined) return;
  const px = uPlot.pxRatio;
  const x = (t: number) => Math.round(u.valToPos(t, "x", true));
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  ctx.fillStyle = PAUSE_SHADE;
  for (const s of marks.spans) {
    const from = Math.max(s.from, xMin);
    const to = Math.min(s.to ?? xMax, xMax);
    if (to > from) ctx.fillRect(x(from), top, x(to) - x(from), height);
  }
  ctx.font = `600 ${LABEL_FONT_PX * px}px system-ui, sans-serif`;
  ctx.textBaseline = "middle";
  // uPlot leaves the last axis' alignment set (right, for a left axis).
  ctx.textAlign = "left";
  const padX = 4 * px;
  const boxes = shown.map((l) => ({ x: x(l.t), width: ctx.measureText(l.label).width + 2 * padX }));
  const places = placeLabels(boxes, left, left + width, { pad: 3 * px, gap: 4 * px });
  shown.forEach((l, i) => {
    const color = MARK_COLOR[l.kind];
    const at = boxes[i]!.x + 0.5;
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5 * px;
    ctx.setLineDash([4 * px, 3 * px]);
    ctx.beginPath();
    ctx.moveTo(at, top);
    ctx.lineTo(at, top + height);
    ctx.stroke();
    const place = places[i]!;
    const y = top + 2 * px + place.row * LABEL_ROW_PX * px;
    const h = (LABEL_ROW_PX - 2) * px;
    ctx.setLineDash([]);
    ctx.fillStyle = "rgba(255, 255, 255, 0.92)";
    ctx.lineWidth = 1 * px;
    ctx.fillRect(place.left, y, boxes[i]!.width, h);
    ctx.strokeRect(place.left + 0.5, y + 0.5, boxes[i]!.width - 1, h - 1);
    ctx.fillStyle = color;
    ctx.fillText(l.label, place.left + padX, y + h / 2 + 0.5);
  });
  ctx.restore();
}

/** A uPlot time chart that follows its container's width; its legend shows the values under the cursor, else the latest. */
export function TimeChart(props: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const propsRef = useRef(props);
  propsRef.current = props;
  const height = props.height ?? 200;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const { series, axes } = propsRef.current;
    const hasY2 = series.some((s) => s.scale === "y2");
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      cursor: { drag: { x: true, y: false }, points: { size: 6 } },
      legend: { live: true },
      scales: {
        x: {
          time: true,
          // Widened to the marks while not zoomed: a control after the last second drawn is seen at once.
          range: (u, min, max) => {
            const t = u.data[0];
            const marks = (propsRef.current.marks ?? NO_MARKS).lines.map((l) => l.t);
            return rangeWithMarks(min, max, t[0], t[t.length - 1], marks) as uPlot.Range.MinMax;
          },
        },
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
        y2: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
      series: [
        {
          label: "time",
          value: (u: uPlot, v: number | null, _s: number, idx: number | null) => {
            const t = idx === null ? latest(u, 0) : v;
            return t === null ? "–" : clock(t, true);
          },
        },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 1.5,
          scale: s.scale ?? "y",
          show: !s.hidden,
          points: { show: false },
          spanGaps: false,
          value: (u: uPlot, v: number | null, sidx: number, idx: number | null) => {
            const shown = idx === null ? latest(u, sidx) : v;
            return shown === null ? "–" : s.format(shown);
          },
          ...(s.fill ? { fill: `${s.color}22` } : {}),
        })),
      ],
      axes: [
        {
          stroke: "#64748b",
          grid: { stroke: "#eef2f7" },
          ticks: { stroke: "#e2e8f0" },
          incrs: TIME_INCRS,
          space: 70,
          values: (_u, vals, _a, _space, incr) => vals.map((v) => clock(v, incr < 60)),
        },
        {
          stroke: "#64748b",
          grid: { stroke: "#eef2f7" },
          ticks: { stroke: "#e2e8f0" },
          size: 64,
          ...(axes.counts?.y ? { incrs: COUNT_INCRS } : {}),
          values: (_u, vals) => vals.map((v) => axes.y(v)),
        },
        ...(hasY2
          ? [
              {
                scale: "y2",
                side: 1 as const,
                stroke: "#64748b",
                grid: { show: false },
                size: 56,
                ...(axes.counts?.y2 ? { incrs: COUNT_INCRS } : {}),
                values: (_u: uPlot, vals: number[]) => vals.map((v) => axes.y2!(v)),
              },
            ]
          : []),
      ],
      hooks: {
        draw: [(u) => drawMarks(u, propsRef.current.marks ?? NO_MARKS, el)],
      },
    };
    const u = new uPlot(opts, propsRef.current.data(), el);
    plot.current = u;
    el.dataset.points = String(u.data[0].length);
    let width = el.clientWidth;
    const resize = new ResizeObserver(() => {
      if (el.clientWidth !== width) {
        width = el.clientWidth;
        u.setSize({ width: Math.max(200, width), height });
      }
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [height]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData(propsRef.current.data());
    // How many points it draws: what a test waits for (set on the element, not rendered).
    host.current!.dataset.points = String(u.data[0].length);
  }, [props.version]);

  // New marks (a control came): ranged and drawn again with the same data.
  const marksKey = marksKeyOf(props.marks);
  useEffect(() => {
    const u = plot.current;
    if (u) u.setData(propsRef.current.data());
  }, [marksKey]);

  return (
    <div class="chart card" data-chart={props.id}>
      <div class="card-head">
        <h2>{props.title}</h2>
      </div>
      <div ref={host} class="chart-host" />
    </div>
  );
}
