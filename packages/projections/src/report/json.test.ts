import { readFileSync, writeFileSync } from "node:fs";
import { runReportSchema } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { renderJson } from "./json.ts";
import { fixtureReport } from "./test-report-fixture.ts";

const GOLDEN = new URL("./golden/run-report.v1.json.golden", import.meta.url);

describe("the JSON report", () => {
  // A .golden file (biome leaves it as rendered). UPDATE_GOLDEN=1 rewrites it: a change to it is a change to the published schema, said in docs/reports.md.
  it("renders the fixed report exactly as the committed golden file", () => {
    const json = renderJson(fixtureReport());
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, json);
    expect(json).toBe(readFileSync(GOLDEN, "utf8"));
  });

  it("parses back with the schema, keys in the schema's order", () => {
    const parsed = JSON.parse(renderJson(fixtureReport())) as Record<string, unknown>;
    expect(runReportSchema.parse(parsed)).toEqual(parsed);
    expect(Object.keys(parsed)).toEqual(Object.keys(runReportSchema.shape));
  });
});
