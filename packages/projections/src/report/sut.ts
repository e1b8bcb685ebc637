import type { SutSeries } from "../agent-views.ts";

/** The report's SUT charts: which series go on which, by the name's shape (as the console's run page groups them). */

export type SutUnit = "percent" | "bytes" | "perSec" | "count";

export type SutGroup = { id: string; title: string; unit: SutUnit; match: (name: string) => boolean };

export const SUT_GROUPS: readonly SutGroup[] = [
  {
    id: "sut-cpu",
    title: "CPU %",
    unit: "percent",
    match: (n) => n === "host.cpu.busy" || /^(process\..+\.cpuPercent|cgroup\.cpuPercent)$/.test(n),
  },
  {
    id: "sut-memory",
    title: "Memory",
    unit: "bytes",
    match: (n) => n === "host.memory.usedBytes" || /^(process\..+\.rssBytes|cgroup\.memoryBytes)$/.test(n),
  },
  { id: "sut-network", title: "Network", unit: "perSec", match: (n) => n.startsWith("host.network.") && n.endsWith("BytesPerSec") },
  { id: "sut-load", title: "Load", unit: "count", match: (n) => n === "host.load.one" || n.startsWith("nginx.") },
];

/** Whether some chart of the report shows this series. */
export const chartedSeries = (name: string): boolean => SUT_GROUPS.some((g) => g.match(name));

/** The series names of these SUT seconds that the report charts: what to ask sutSeriesOf for. */
export function chartedNamesOf(rows: readonly { values: Readonly<Record<string, number>> }[]): string[] {
  const names = new Set<string>();
  for (const row of rows) for (const name of Object.keys(row.values)) if (chartedSeries(name)) names.add(name);
  return [...names].sort();
}

/** The groups with data, each with its series that have points, in the groups' order. */
export function sutGroupsOf(series: readonly SutSeries[]): { group: SutGroup; series: SutSeries[] }[] {
  return SUT_GROUPS.flatMap((group) => {
    const of = series.filter((s) => s.points.length > 0 && group.match(s.name));
    return of.length === 0 ? [] : [{ group, series: of }];
  });
}
