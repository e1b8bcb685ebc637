import { describe, expect, it } from "vitest";
import { lineChart, niceStep, segmentsOf, timeStep } from "./svg-charts.ts";

describe("the SVG charts", () => {
  it("steps axes on round values", () => {
    expect([niceStep(0), niceStep(9), niceStep(10), niceStep(1234), niceStep(0.03)]).toEqual([1, 2.5, 2.5, 500, 0.01]);
    expect([timeStep(10), timeStep(60), timeStep(3600), timeStep(7 * 86_400)]).toEqual([2, 10, 600, 172_800]);
  });

  it("keeps each pixel column's first, lowest, highest and last point over many points", () => {
    const xs = Array.from({ length: 3600 }, (_, i) => i);
    const values = xs.map((i) => (i === 1800 ? 1000 : i % 7));
    const [segment, ...rest] = segmentsOf(
      xs,
      values,
      (v) => (v / 3600) * 100,
      (v) => v,
      100,
    );
    expect(rest).toEqual([]);
    expect(segment!.length).toBeLessThanOrEqual(400);
    expect(Math.max(...segment!.map(([, y]) => y))).toBe(1000); // the spike survives
  });

  it("breaks a line where there is no data, and marks a lone point", () => {
    const svg = lineChart({
      id: "t",
      title: "t",
      xs: [0, 1, 2, 3],
      series: [{ name: "s", color: "#000", values: [1, null, 2, 3] }],
      xLabel: String,
      yLabel: String,
    });
    const d = /class="line" data-series="s" d="([^"]+)"/.exec(svg)![1]!;
    expect(d.match(/M/g)).toHaveLength(2);
    expect(d.split("M")[1]!.split("L")).toHaveLength(2); // the lone first point: a short dash
  });
});
