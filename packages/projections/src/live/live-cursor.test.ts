import { describe, expect, it } from "vitest";
import { formatRunCursor, furthest, isBehind, parseRunCursor, parseSeqCursor, RUN_START, secondIsAfter } from "./live-cursor.ts";

describe("live cursors", () => {
  it("round-trips a cursor through the SSE id", () => {
    for (const c of [RUN_START, { events: 12, metrics: 340, second: null }, { events: 3, metrics: 9, second: 1796469443 }])
      expect(parseRunCursor(formatRunCursor(c))).toEqual(c);
  });

  it("refuses what is not a cursor", () => {
    for (const id of ["", "12", "a.b", "1.2.3.4", "-1.2", "1.2e3", "01.2", "1.99999999999999999"]) expect(parseRunCursor(id)).toBeNull();
    expect(parseSeqCursor("17")).toBe(17);
    expect(parseSeqCursor("1.2")).toBeNull();
  });

  it("says which seconds a cursor has not covered", () => {
    const partial = { metrics: 10, second: 100 };
    expect(secondIsAfter(10, 100, partial)).toBe(false);
    expect(secondIsAfter(10, 101, partial)).toBe(true);
    expect(secondIsAfter(9, 500, partial)).toBe(false);
    expect(secondIsAfter(11, 1, partial)).toBe(true);
    // All of sequence 10 covered: nothing more of it.
    expect(secondIsAfter(10, 101, { metrics: 10, second: null })).toBe(false);
  });

  it("orders cursors stream by stream", () => {
    const a = { events: 5, metrics: 10, second: 100 };
    const b = { events: 4, metrics: 10, second: null };
    expect(isBehind(a, b)).toBe(true); // b has all of metrics 10; a only up to second 100
    expect(isBehind(b, a)).toBe(true); // a has a later run state
    expect(furthest(a, b)).toEqual({ events: 5, metrics: 10, second: null });
    expect(isBehind(furthest(a, b), a)).toBe(false);
    expect(isBehind(furthest(a, b), b)).toBe(false);
  });
});
