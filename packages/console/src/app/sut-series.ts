import type uPlot from "uplot";
import type { SutSeries, SutView } from "./types.ts";

/** One SUT chart: its series' labels and the aligned columns uPlot draws ([t, ...one per series]). */
export type SutChart = {
  id: string;
  title: string;
  unit: "percent" | "bytes" | "perSec" | "count";
  labels: string[];
  data: uPlot.AlignedData;
};

/** Which series go on which chart, by the name's shape (the read side flattens telemetry into dotted names). */
const GROUPS: { id: string; title: string; unit: SutChart["unit"]; match: (name: string) => boolean }[] = [
  {
    id: "sut-cpu",
    title: "SUT CPU",
    unit: "percent",
    match: (n) => n === "host.cpu.busy" || /^(process\..+\.cpuPercent|cgroup\.cpuPercent)$/.test(n),
  },
  {
    id: "sut-memory",
    title: "SUT memory",
    unit: "bytes",
    match: (n) => n === "host.memory.usedBytes" || /^(process\..+\.rssBytes|cgroup\.memoryBytes)$/.test(n),
  },
  { id: "sut-network", title: "SUT network", unit: "perSec", match: (n) => n.startsWith("host.network.") && n.endsWith("BytesPerSec") },
  { id: "sut-load", title: "SUT load", unit: "count", match: (n) => n === "host.load.one" || n.startsWith("nginx.") },
];

const label = (s: SutSeries, agents: number): string => (agents > 1 ? `${s.agentId} ${s.name}` : s.name);

/**
 * The SUT's series as charts on the run's clock: each point's second after the run's start
 * becomes Unix seconds, so they line up with the latency charts above; a second one series
 * lacks is a gap (null), not a zero.
 */
export function sutCharts(view: SutView): SutChart[] {
  if (!view.startedAt) return [];
  const start = Math.floor(Date.parse(view.startedAt) / 1000);
  if (!Number.isFinite(start)) return [];
  return GROUPS.flatMap((g) => {
    const series = view.series.filter((s) => g.match(s.name) && s.points.length > 0);
    if (series.length === 0) return [];
    const seconds = [...new Set(series.flatMap((s) => s.points.map(([sec]) => sec)))].sort((a, b) => a - b);
    const at = new Map(seconds.map((sec, i) => [sec, i]));
    const columns = series.map((s) => {
      const col: (number | null)[] = seconds.map(() => null);
      for (const [sec, v] of s.points) col[at.get(sec)!] = v;
      return col;
    });
    return [
      {
        id: g.id,
        title: g.title,
        unit: g.unit,
        labels: series.map((s) => label(s, view.agents.length)),
        data: [seconds.map((sec) => start + sec), ...columns] as uPlot.AlignedData,
      },
    ];
  });
}
