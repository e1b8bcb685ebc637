import { describe, expect, it } from "vitest";
import { renderJunit } from "./junit.ts";
import { fixtureReport } from "./test-report-fixture.ts";

const testcases = (xml: string) =>
  [...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"[^>]*?(\/?)>/g)].map((m) => ({
    classname: m[1],
    name: m[2],
    failed: m[3] !== "/",
  }));

describe("the JUnit report", () => {
  it("has a test case per threshold, for the checks and per request with checks, and one for the run", () => {
    const xml = renderJunit(fixtureReport());
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    expect(testcases(xml)).toEqual([
      { classname: "loadline.run", name: "run completed", failed: true },
      { classname: "loadline.thresholds", name: "latency: p(95) &lt; 300", failed: false },
      { classname: "loadline.thresholds", name: "error_rate: rate &lt; 0.005 over 30s", failed: true },
      { classname: "loadline.checks", name: "checks", failed: true },
      { classname: "loadline.checks", name: "GET home: status in 200", failed: false },
      { classname: "loadline.checks", name: "POST login: status in 200, 201; $.token exists", failed: true },
    ]);
    expect(xml).toContain('<testsuites name="loadline Checkout &lt;flow&gt; &amp; friends run run_fixed" tests="6" failures="4"');
    expect(xml).toContain('<failure type="threshold" message="error_rate: observed 0.01 (1%), expected rate &lt; 0.005">');
    expect(xml).toContain('message="24 of 4,800 checks failed (0.5%)"');
    expect(xml).toContain('message="the run completed degraded (coverage 92%): lanes 2-3 were not run for 2 s (worker w-2 lost)"');
    expect(xml).toContain('<testsuite name="thresholds" tests="2" failures="1"');
  });

  it("passes a clean run with no thresholds and no checks", () => {
    const report = fixtureReport();
    report.run.degraded = false;
    report.thresholds = [];
    report.checks = { passed: 0, failed: 0, requests: [] };
    const xml = renderJunit(report);
    expect(testcases(xml)).toEqual([{ classname: "loadline.run", name: "run completed", failed: false }]);
    expect(xml).toContain('tests="1" failures="0"');
  });

  it("drops what XML cannot hold", () => {
    const report = fixtureReport();
    report.thresholds[0]!.metric = "latency{name:a\u0001b\ud800}";
    expect(renderJunit(report)).toContain('name="latency{name:ab}: p(95) &lt; 300"');
  });
});
