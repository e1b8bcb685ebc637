import { describe, expect, it } from "vitest";
import { byteStep, lineChart, niceStep, segmentsOf, timeStep } from "./svg-charts.ts";

describe("the SVG charts", () => {
  it("steps axes on round values", () => {
    expect([niceStep(0), niceStep(9), niceStep(10), niceStep(1234), niceStep(0.03)]).toEqual([1, 2.5, 2.5, 500, 0.01]);
    expect([byteStep(3e9), byteStep(3e6), byteStep(900), byteStep(0)]).toEqual([1024 ** 3, 1024 ** 2, 250, 1]);
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

  it("draws marks as dashed vertical lines labelled at the top, leaving out those outside the x domain", () => {
    // 560 wide: the plot runs from x 54 to 546 over [0, 10].
    const svg = lineChart({
      id: "m",
      title: "m",
      xs: [0, 10],
      series: [{ name: "s", color: "#000", values: [1, 2] }],
      xLabel: String,
      yLabel: String,
      xDomain: [0, 10],
      marks: [
        { x: 5, label: "restart @api-1: completed", color: "#15803d" },
        { x: 5.5, label: "flag @db-1: failed" },
        { x: 10, label: "late" },
        { x: 11, label: "outside" },
      ],
    });
    const marks = [
      ...svg.matchAll(
        /<g class="mark" data-mark="([^"]*)">.*?<line x1="([^"]+)"[^>]*stroke="([^"]+)"[^>]*stroke-dasharray="4 3"\/><text class="mark-label" x="([^"]+)" y="([^"]+)" text-anchor="(\w+)"[^>]*>([^<]*)<\/text>/g,
      ),
    ].map((m) => m.slice(1));
    expect(marks).toEqual([
      ["restart @api-1: completed", "300", "#15803d", "303", "21", "start", "restart @api-1: completed"],
      // Its label would overprint the one before: a row lower.
      ["flag @db-1: failed", "324.6", "#4b5563", "327.6", "33", "start", "flag @db-1: failed"],
      // At the right edge: its label on its left.
      ["late", "546", "#4b5563", "543", "21", "end", "late"],
    ]);
  });

  it("draws no marks when given none", () => {
    const svg = lineChart({ id: "t", title: "t", xs: [0, 1], series: [], xLabel: String, yLabel: String });
    expect(svg).not.toContain("mark");
  });
});
