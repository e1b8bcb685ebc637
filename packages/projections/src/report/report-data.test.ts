import { RUN_REPORT_VERSION, runReportSchema } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { renderJson } from "./json.ts";
import { describeCheck, gatherRunReport, type ReportSources, runReportOf } from "./report-data.ts";
import { fixtureActions, fixtureInputs, fixtureReport, fixtureRun, fixtureSut } from "./test-report-fixture.ts";

describe("runReportOf", () => {
  it("makes a report the schema accepts, with the run's verdict and thresholds", () => {
    const report = fixtureReport();
    expect(runReportSchema.parse(report)).toEqual(report);
    expect(report).toMatchObject({ kind: "loadline.run-report", version: RUN_REPORT_VERSION });
    expect(report.run.verdict).toBe("failed");
    expect(report.thresholds.map((t) => [t.metric, t.passed])).toEqual([
      ["latency", true],
      ["error_rate", false],
    ]);
    expect(report.timeseries).toMatchObject({ stepSec: 1 });
    expect(report.timeseries.points).toHaveLength(12);
  });

  it("reads a run view without verdict nor thresholds as verdict none and no thresholds", () => {
    const { verdict: _v, thresholds: _t, ...plain } = fixtureRun;
    const report = runReportOf({ ...fixtureInputs, run: plain });
    expect(report.run.verdict).toBe("none");
    expect(report.thresholds).toEqual([]);
    expect(runReportSchema.safeParse(report).success).toBe(true);
  });

  it("says which requests declare checks, with their requests failed by a check", () => {
    expect(fixtureReport().checks).toEqual({
      passed: 4776,
      failed: 24,
      requests: [
        { name: "home", method: "GET", checks: ["status in 200"], requests: 2400, failed: 0 },
        { name: "login", method: "POST", checks: ["status in 200, 201", "$.token exists"], requests: 1200, failed: 24 },
      ],
    });
  });

  it("shows the definition as written: secret references kept, bookkeeping left out, long data sets cut", () => {
    const { definition } = fixtureReport().test!;
    expect(Object.keys(definition)).not.toContain("tenantId");
    expect(Object.keys(definition)).not.toContain("createdBy");
    expect(definition).not.toHaveProperty("requests"); // null: a test written as scenarios
    const text = JSON.stringify(definition);
    expect(text).toContain("Bearer {{secrets.SHOP_TOKEN}}");
    const rows = (definition.scenarios as { data: { rows: unknown[] } }[])[0]!.data.rows;
    expect(rows).toHaveLength(21);
    expect(rows[20]).toBe("… 100 more");
  });

  it("has no test when it was deleted", () => {
    const report = runReportOf({ ...fixtureInputs, loadTest: null });
    expect(report.test).toBeNull();
    expect(report.checks.requests).toEqual([]);
  });

  it("writes each kind of check as a sentence", () => {
    expect(describeCheck({ type: "header", name: "content-type", matches: "^application/json" })).toBe(
      "header content-type matches /^application/json/",
    );
    expect(describeCheck({ type: "bodyContains", value: "ok" })).toBe('body contains "ok"');
    expect(describeCheck({ type: "latency", belowMs: 250 })).toBe("latency < 250 ms");
    expect(describeCheck({ type: "jsonPath", path: "$.n", equals: 3 })).toBe("$.n equals 3");
    expect(describeCheck({ type: "jsonPath", path: "$.n", exists: false })).toBe("$.n does not exist");
  });
});

describe("gatherRunReport", () => {
  const now = new Date(fixtureInputs.generatedAt);
  const run = fixtureRun as Parameters<ReportSources["aggregate"]>[0];
  const sources: ReportSources = {
    loadTest: async () => fixtureInputs.loadTest,
    aggregate: async () => fixtureInputs.aggregate,
    timeseries: async () => ({ step: 1, points: [...fixtureInputs.timeseries.points] }),
    distribution: async () => fixtureInputs.distribution,
  };

  it("is the schema's report alone without SUT nor actions sources: the JSON report is unchanged", async () => {
    const report = await gatherRunReport(sources, run, now);
    expect(report).not.toHaveProperty("sut");
    expect(report).not.toHaveProperty("actions");
    expect(renderJson(report)).toBe(renderJson(fixtureReport()));
  });

  it("adds the SUT's series and the run's actions when their sources are given", async () => {
    const report = await gatherRunReport({ ...sources, sut: async () => fixtureSut, actions: async () => fixtureActions }, run, now);
    expect(report.sut).toBe(fixtureSut);
    expect(report.actions).toBe(fixtureActions);
  });
});
