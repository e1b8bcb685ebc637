import { describe, expect, it } from "vitest";
import { chartMarks, placeLabels, rangeWithMarks, withActionMarks } from "./annotations.ts";
import type { AgentActionView, RunControl } from "./types.ts";

const at = (sec: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, sec)).toISOString();
const t = (sec: number) => Date.UTC(2026, 0, 1, 12, 0, sec) / 1000;

describe("chartMarks", () => {
  it("puts a labelled line at each control, in time order, and shades each pause", () => {
    const controls: RunControl[] = [
      { type: "paused", at: at(10), by: "key:a" },
      { type: "resumed", at: at(20), by: "key:a" },
      { type: "scaled", at: at(30), by: "key:b", vus: 12, vuFactor: 2 },
      { type: "scaled", at: at(25), by: "key:b", rate: 40, rateFactor: 0.5 },
      { type: "paused", at: at(40), by: "key:a" },
    ];
    const marks = chartMarks(controls);
    expect(marks.lines).toEqual([
      { t: t(10), kind: "paused", label: "paused" },
      { t: t(20), kind: "resumed", label: "resumed" },
      { t: t(25), kind: "scaled", label: "scaled to 40.0/s" },
      { t: t(30), kind: "scaled", label: "scaled to 12 VUs" },
      { t: t(40), kind: "paused", label: "paused" },
    ]);
    // The second pause lasts: its span is open, to the chart's end.
    expect(marks.spans).toEqual([
      { from: t(10), to: t(20) },
      { from: t(40), to: null },
    ]);
  });

  it("leaves out a control of an unreadable time, and draws nothing for none", () => {
    expect(chartMarks([{ type: "paused", at: "not a time", by: "x" }])).toEqual({ lines: [], spans: [] });
    expect(chartMarks([])).toEqual({ lines: [], spans: [] });
  });

  it("keeps controls of the same second in their order", () => {
    const marks = chartMarks([
      { type: "paused", at: at(5), by: "x" },
      { type: "resumed", at: at(5), by: "x" },
    ]);
    expect(marks.lines.map((l) => l.kind)).toEqual(["paused", "resumed"]);
    expect(marks.spans).toEqual([{ from: t(5), to: t(5) }]);
  });
});

describe("rangeWithMarks", () => {
  it("widens the whole data's range to take in the marks", () => {
    expect(rangeWithMarks(100, 160, 100, 160, [130, 165])).toEqual([100, 165]);
    expect(rangeWithMarks(100, 160, 100, 160, [95])).toEqual([95, 160]);
    expect(rangeWithMarks(100, 160, 100, 160, [120])).toEqual([100, 160]);
  });

  it("leaves a zoomed range, a chart without data and one without marks as they are", () => {
    expect(rangeWithMarks(110, 150, 100, 160, [165])).toEqual([110, 150]);
    expect(rangeWithMarks(null, null, undefined, undefined, [165])).toEqual([null, null]);
    expect(rangeWithMarks(100, 160, 100, 160, [])).toEqual([100, 160]);
  });
});

describe("placeLabels", () => {
  it("puts each label right of its line, on the first row where it overlaps nothing", () => {
    const placed = placeLabels(
      [
        { x: 100, width: 50 },
        { x: 120, width: 50 }, // would overlap the first: the next row
        { x: 200, width: 50 }, // clear of both: the first row again
        { x: 130, width: 20 }, // over both rows' labels: a third row
      ],
      0,
      1000,
      { pad: 4, gap: 6 },
    );
    expect(placed).toEqual([
      { left: 104, row: 0 },
      { left: 124, row: 1 },
      { left: 204, row: 0 },
      { left: 134, row: 2 },
    ]);
  });

  it("puts a label left of its line where it would leave the plot, never past its left edge", () => {
    expect(placeLabels([{ x: 980, width: 60 }], 0, 1000, { pad: 4 })).toEqual([{ left: 916, row: 0 }]);
    expect(placeLabels([{ x: 30, width: 60 }], 20, 80, { pad: 4 })).toEqual([{ left: 20, row: 0 }]);
  });

  it("answers in the order given, placing in order of x", () => {
    const placed = placeLabels(
      [
        { x: 120, width: 50 },
        { x: 100, width: 50 },
      ],
      0,
      1000,
      { pad: 4, gap: 6 },
    );
    expect(placed).toEqual([
      { left: 124, row: 1 },
      { left: 104, row: 0 },
    ]);
  });

  it("shares the row that ends first once every row is taken", () => {
    const boxes = [0, 1, 2, 3].map((i) => ({ x: 100 + i, width: 50 }));
    const placed = placeLabels(boxes, 0, 1000, { pad: 4, gap: 6, maxRows: 3 });
    expect(placed.map((p) => p.row)).toEqual([0, 1, 2, 0]);
  });
});

describe("withActionMarks", () => {
  it("adds a line where each timeline action started (or was asked), with its outcome, in time order", () => {
    const marks = chartMarks([{ type: "paused", at: at(20), by: "key:a" }]);
    const actions: AgentActionView[] = [
      { actionId: "x1", agentId: "a1", action: "slow-down", status: "completed", requestedAt: at(9), startedAt: at(10), endedAt: at(11) },
      { actionId: "x2", agentId: "a2", action: "restart-api", status: "failed", requestedAt: at(30), reason: "not taken up" },
    ];
    const withActions = withActionMarks(marks, actions);
    expect(withActions.lines).toEqual([
      { t: t(10), kind: "action", label: "slow-down @a1: done" },
      { t: t(20), kind: "paused", label: "paused" },
      { t: t(30), kind: "action", label: "restart-api @a2: failed" },
    ]);
    expect(withActions.spans).toEqual(marks.spans);
    expect(withActionMarks(marks, [])).toBe(marks);
  });
});
