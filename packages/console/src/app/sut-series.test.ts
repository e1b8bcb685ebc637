import { describe, expect, it } from "vitest";
import { sutCharts } from "./sut-series.ts";

const startedAt = "2026-12-05T10:00:00.000Z";
const t0 = Date.parse(startedAt) / 1000;

describe("sutCharts", () => {
  it("groups the series by kind and puts them on the run's clock, a missing second as a gap", () => {
    const charts = sutCharts({
      startedAt,
      agents: [{ agentId: "a1", host: null, labels: {} }],
      series: [
        {
          agentId: "a1",
          name: "host.cpu.busy",
          points: [
            [0, 10],
            [1, 20],
            [2, 30],
          ],
        },
        {
          agentId: "a1",
          name: "process.api.cpuPercent",
          points: [
            [0, 50],
            [2, 70],
          ],
        },
        { agentId: "a1", name: "host.memory.usedBytes", points: [[1, 1024]] },
      ],
    });
    expect(charts.map((c) => c.id)).toEqual(["sut-cpu", "sut-memory"]);
    expect(charts[0]!.labels).toEqual(["host.cpu.busy", "process.api.cpuPercent"]);
    expect(charts[0]!.data).toEqual([
      [t0, t0 + 1, t0 + 2],
      [10, 20, 30],
      [50, null, 70],
    ]);
  });

  it("names the agent when there are several, and draws nothing before the run started", () => {
    const series = [
      { agentId: "a1", name: "host.cpu.busy", points: [[0, 1]] as [number, number][] },
      { agentId: "a2", name: "host.cpu.busy", points: [[0, 2]] as [number, number][] },
    ];
    expect(
      sutCharts({ startedAt, agents: ["a1", "a2"].map((agentId) => ({ agentId, host: null, labels: {} })), series })[0]!.labels,
    ).toEqual(["a1 host.cpu.busy", "a2 host.cpu.busy"]);
    expect(sutCharts({ startedAt: null, agents: [], series })).toEqual([]);
  });
});
