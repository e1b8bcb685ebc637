import { HttpError } from "@loadline/service";
import { describe, expect, it } from "vitest";
import { parseInstant, resolveRange } from "./time-range.ts";

describe("parseInstant", () => {
  it("reads epoch seconds and ISO-8601 to the second", () => {
    expect(parseInstant("1700000000")).toBe(1_700_000_000);
    expect(parseInstant("1700000000.9")).toBe(1_700_000_000);
    expect(parseInstant("2023-11-14T22:13:20.500Z")).toBe(1_700_000_000);
    expect(parseInstant("2023-11-14T23:13:20+01:00")).toBe(1_700_000_000);
  });

  it("refuses anything else", () => {
    for (const bad of ["", "yesterday", "-5", "1e9", "2023-13-45T00:00:00Z", "12/11/2023"]) expect(parseInstant(bad)).toBeNull();
  });
});

describe("resolveRange", () => {
  const span = { first: 100, last: 200 };
  it("defaults to the run's windows", () => {
    expect(resolveRange({}, span)).toEqual({ from: 100, to: 200 });
    expect(resolveRange({ from: 150 }, span)).toEqual({ from: 150, to: 200 });
    expect(resolveRange({}, null)).toBeNull();
    expect(resolveRange({ from: 300 }, span)).toBeNull();
  });

  it("refuses an asked range that is backwards or too long, naming `to`", () => {
    expect(() => resolveRange({ from: 10, to: 5 }, span)).toThrow(HttpError);
    expect(() => resolveRange({ from: 0, to: 10 }, span, 5)).toThrow(/at most 5/);
  });

  it("cuts a defaulted end to fit", () => {
    expect(resolveRange({}, span, 10)).toEqual({ from: 191, to: 200 });
    expect(resolveRange({ from: 100 }, span, 10)).toEqual({ from: 100, to: 109 });
  });
});
