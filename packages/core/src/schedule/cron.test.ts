import { describe, expect, it } from "vitest";
import { cronIssue, DUE_COUNT_CAP, duesBetween, isFireTime, nextFireAfter, nextFireTimes, timezoneIssue } from "./cron.ts";

const iso = (dates: readonly Date[]) => dates.map((d) => d.toISOString());
const berlin = (cron: string) => ({ cron, timezone: "Europe/Berlin" });

describe("cron patterns", () => {
  it("takes 5 fields, 6 with seconds first, and nicknames", () => {
    for (const cron of ["30 2 * * *", "*/5 * * * * *", "0 9 * * MON-FRI", "@daily", "0 0 L * *"]) expect(cronIssue(cron), cron).toBeNull();
  });

  it("says what is wrong with one it cannot fire on", () => {
    expect(cronIssue("61 * * * *")).toBe("Invalid value for minute: 61");
    expect(cronIssue("* * * *")).toMatch(/five, six, or seven/);
    expect(cronIssue("* * * * * * 2030")).toMatch(/parts/); // a year field is not a schedule's
    expect(cronIssue("2030-01-23T00:00:00")).toBe("must be a cron pattern of 5 or 6 fields, not a date");
    expect(cronIssue("0 0 31 2 *")).toBe("never fires");
    expect(cronIssue("@reboot")).toMatch(/reboot/);
    expect(cronIssue("")).not.toBeNull();
  });

  it("knows IANA time zones", () => {
    expect(timezoneIssue("Europe/Berlin")).toBeNull();
    expect(timezoneIssue("UTC")).toBeNull();
    expect(timezoneIssue("Mars/Olympus_Mons")).toMatch(/unknown time zone/);
    expect(timezoneIssue("")).not.toBeNull();
  });
});

describe("fire times in a time zone, across DST (Vixie cron's rules, as croner keeps them)", () => {
  it("runs a fixed time that does not exist (spring forward) at the first valid time after the gap, once", () => {
    // 2026-03-29 in Berlin: 02:00 CET jumps to 03:00 CEST; 02:30 never happens.
    expect(iso(nextFireTimes(berlin("30 2 * * *"), new Date("2026-03-27T12:00:00Z"), 3))).toEqual([
      "2026-03-28T01:30:00.000Z", // 02:30 CET
      "2026-03-29T01:00:00.000Z", // 03:00 CEST
      "2026-03-30T00:30:00.000Z", // 02:30 CEST
    ]);
  });

  it("runs a fixed time that happens twice (fall back) once, at its first occurrence", () => {
    // 2026-10-25 in Berlin: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice.
    expect(iso(nextFireTimes(berlin("30 2 * * *"), new Date("2026-10-23T12:00:00Z"), 3))).toEqual([
      "2026-10-24T00:30:00.000Z", // 02:30 CEST
      "2026-10-25T00:30:00.000Z", // 02:30 CEST, the first of the two
      "2026-10-26T01:30:00.000Z", // 02:30 CET
    ]);
  });

  it("runs an interval job through the repeated hour on both passes, and skips the hour that does not exist", () => {
    expect(iso(nextFireTimes(berlin("*/30 2 * * *"), new Date("2026-10-24T12:00:00Z"), 4))).toEqual([
      "2026-10-25T00:00:00.000Z",
      "2026-10-25T00:30:00.000Z",
      "2026-10-25T01:00:00.000Z",
      "2026-10-25T01:30:00.000Z",
    ]);
    expect(iso(nextFireTimes(berlin("*/30 2 * * *"), new Date("2026-03-28T12:00:00Z"), 1))).toEqual(["2026-03-30T00:00:00.000Z"]);
  });

  it("fires strictly after the instant given, and knows its own fire times", () => {
    const every5s = { cron: "*/5 * * * * *", timezone: "UTC" };
    expect(nextFireAfter(every5s, new Date("2026-01-01T00:00:05.000Z"))?.toISOString()).toBe("2026-01-01T00:00:10.000Z");
    expect(nextFireAfter(every5s, new Date("2026-01-01T00:00:04.999Z"))?.toISOString()).toBe("2026-01-01T00:00:05.000Z");
    expect(isFireTime(every5s, new Date("2026-01-01T00:00:05.000Z"))).toBe(true);
    expect(isFireTime(every5s, new Date("2026-01-01T00:00:06.000Z"))).toBe(false);
    expect(isFireTime(berlin("30 2 * * *"), new Date("2026-03-29T01:00:00.000Z"))).toBe(true); // the shifted one
    expect(isFireTime(berlin("30 2 * * *"), new Date("2026-10-25T01:30:00.000Z"))).toBe(false); // the second 02:30
  });
});

describe("due instants between two instants", () => {
  const every5s = { cron: "*/5 * * * * *", timezone: "UTC" };

  it("counts them, after the first instant and up to the second, with the latest two", () => {
    const dues = duesBetween(every5s, new Date("2026-01-01T00:00:05.000Z"), new Date("2026-01-01T00:00:20.000Z"));
    expect(dues).toEqual({ count: 3, latest: new Date("2026-01-01T00:00:20.000Z"), beforeLatest: new Date("2026-01-01T00:00:15.000Z") });
    expect(duesBetween(every5s, new Date("2026-01-01T00:00:05.000Z"), new Date("2026-01-01T00:00:09.999Z"))).toBeNull();
  });

  it(`stops counting at ${DUE_COUNT_CAP}, and still finds the latest`, () => {
    const everySecond = { cron: "* * * * * *", timezone: "UTC" };
    const dues = duesBetween(everySecond, new Date("2026-01-01T00:00:00.000Z"), new Date("2026-01-01T02:00:00.500Z"));
    expect(dues).toEqual({
      count: DUE_COUNT_CAP,
      latest: new Date("2026-01-01T02:00:00.000Z"),
      beforeLatest: new Date("2026-01-01T01:59:59.000Z"),
    });
  });
});
