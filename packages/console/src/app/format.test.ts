import { describe, expect, it } from "vitest";
import {
  ago,
  ahead,
  bytes,
  clockTime,
  count,
  duration,
  ms,
  percent,
  rate,
  runLength,
  shortId,
  signedPercent,
  timeOrDate,
} from "./format.ts";

describe("format", () => {
  it("counts", () => {
    expect(count(0)).toBe("0");
    expect(count(1234)).toBe("1,234");
    expect(count(1_234_567)).toBe("1.23M");
    expect(count(12_500_000_000)).toBe("12.5G");
    expect(count(null)).toBe("–");
    expect(count(Number.NaN)).toBe("–");
  });

  it("rates and latencies", () => {
    expect(rate(12.345)).toBe("12.3");
    expect(rate(1500)).toBe("1,500");
    expect(ms(0.4242)).toBe("0.42 ms");
    expect(ms(12.34)).toBe("12.3 ms");
    expect(ms(245.6)).toBe("246 ms");
    expect(ms(1240)).toBe("1.24 s");
    expect(ms(undefined)).toBe("–");
  });

  it("percentages", () => {
    expect(percent(0)).toBe("0%");
    expect(percent(0.0123)).toBe("1.23%");
    expect(percent(0.5)).toBe("50.0%");
    expect(percent(0.00001)).toBe("<0.01%");
    expect(signedPercent(0.123)).toBe("+12.3%");
    expect(signedPercent(-0.04)).toBe("−4.0%");
    expect(signedPercent(0)).toBe("±0.0%");
    expect(signedPercent(null)).toBe("–");
  });

  it("bytes and durations", () => {
    expect(bytes(512)).toBe("512 B");
    expect(bytes(1500)).toBe("1.5 kB");
    expect(bytes(12_000_000)).toBe("12 MB");
    expect(duration(45)).toBe("45s");
    expect(duration(185)).toBe("3m 05s");
    expect(duration(3720)).toBe("1h 02m");
    expect(duration(-1)).toBe("–");
  });

  it("times relative to now", () => {
    const now = Date.parse("2026-01-01T12:00:00Z");
    expect(ago("2026-01-01T11:59:30Z", now)).toBe("30s ago");
    expect(ago("2026-01-01T11:00:00Z", now)).toBe("1h ago");
    expect(ago("2025-12-29T12:00:00Z", now)).toBe("3d ago");
    expect(runLength("2026-01-01T11:59:00Z", null, now)).toBe(60);
    expect(runLength("2026-01-01T11:59:00Z", "2026-01-01T11:59:10Z", now)).toBe(10);
    expect(runLength(null, null, now)).toBeNull();
    expect(shortId("01a245a4-d61a-7242-80e8-0b16cc4863d6")).toBe("…cc4863d6");
  });

  it("says how long until, and an instant's time of day", () => {
    const now = Date.parse("2026-01-01T12:00:00Z");
    expect(ahead("2026-01-01T12:00:30Z", now)).toBe("in 30s");
    expect(ahead("2026-01-01T12:27:00Z", now)).toBe("in 27m");
    expect(ahead("2026-01-01T15:00:00Z", now)).toBe("in 3h");
    expect(ahead("2026-01-03T12:00:00Z", now)).toBe("in 2d");
    expect(ahead("2026-01-01T11:00:00Z", now)).toBe("now");
    expect(ahead(null, now)).toBe("–");
    expect(clockTime(new Date(2026, 0, 1, 9, 5, 7).toISOString())).toBe("09:05:07");
    expect(clockTime(null)).toBe("–");
    const noon = new Date(2026, 0, 1, 12, 0, 0).getTime();
    expect(timeOrDate(new Date(2026, 0, 1, 18, 30, 0).toISOString(), noon)).toBe("18:30:00");
    expect(timeOrDate(new Date(2026, 0, 7, 12, 0, 5).toISOString(), noon)).toBe("2026-01-07 12:00:05");
    expect(timeOrDate(null, noon)).toBe("–");
  });
});
