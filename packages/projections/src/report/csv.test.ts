import { describe, expect, it } from "vitest";
import { ENDPOINTS_HEADER, renderCsv, TIMESERIES_HEADER } from "./csv.ts";
import { fixtureReport } from "./test-report-fixture.ts";

const lines = (csv: string) => csv.split("\r\n").slice(0, -1);

describe("the CSV report", () => {
  it("holds the timeseries, an empty line, then the endpoints with the whole run last", () => {
    const csv = renderCsv(fixtureReport());
    expect(csv.endsWith("\r\n")).toBe(true);
    const all = lines(csv);
    expect(all[0]).toBe(TIMESERIES_HEADER.join(","));
    expect(all[1]).toBe("2026-03-02T10:00:00.000Z,0,300,0,300,0,15,27,33,52.5,75,6,90,18,5,0,0");
    expect(all[13]).toBe("");
    expect(all[14]).toBe(ENDPOINTS_HEADER.join(","));
    expect(all.slice(15).map((l) => l.split(",")[0])).toEqual(["home", "login", "(all requests)"]);
    expect(all[16]).toContain("login,POST,1200,36,0.03,100,");
    expect(all[16]).toContain(",200:1176 201:12 500:12,5xx:12 check:24");
  });

  it("gives one table alone when asked", () => {
    expect(lines(renderCsv(fixtureReport(), "timeseries"))).toHaveLength(13);
    expect(lines(renderCsv(fixtureReport(), "endpoints"))).toHaveLength(4);
  });

  it("quotes what needs it and keeps a name from reading as a formula", () => {
    const report = fixtureReport();
    report.endpoints[0]!.name = 'a,"b"';
    report.endpoints[1]!.name = "=HYPERLINK(1)";
    const rows = lines(renderCsv(report, "endpoints"));
    expect(rows[1]!.startsWith('"a,""b""",GET,')).toBe(true);
    expect(rows[2]!.startsWith("'=HYPERLINK(1),POST,")).toBe(true);
  });
});
