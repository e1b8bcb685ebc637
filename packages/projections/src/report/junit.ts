import type { RunReport } from "@loadline/core";
import { formatCount, formatObserved, formatPercent, escapeXml as x } from "./format.ts";

type TestCase = { classname: string; name: string; failure?: { type: string; message: string; detail: string } };

const seconds = (r: RunReport): number => {
  const { startedAt, finishedAt } = r.run;
  return startedAt && finishedAt ? Math.max(0, (Date.parse(finishedAt) - Date.parse(startedAt)) / 1000) : r.summary.seconds;
};

/** The run itself: failed when it did not complete, or completed degraded (some planned load not run). */
function runCases(r: RunReport): TestCase[] {
  const { status, reason, degraded, coverage } = r.run;
  const failure =
    status !== "Completed"
      ? { type: "run", message: `the run ended ${status}${reason ? `: ${reason}` : ""}`, detail: `status ${status}` }
      : degraded
        ? {
            type: "degraded",
            message: `the run completed degraded${coverage === null ? "" : ` (coverage ${formatPercent(coverage)})`}${reason ? `: ${reason}` : ""}`,
            detail: reason ?? "",
          }
        : undefined;
  return [{ classname: "loadline.run", name: "run completed", ...(failure ? { failure } : {}) }];
}

/** One test case per threshold: `metric: expression`, failed with what was observed. */
function thresholdCases(r: RunReport): TestCase[] {
  return r.thresholds.map((t) => {
    const name = `${t.metric}: ${t.expression}${t.over ? ` over ${t.over}` : ""}`;
    const observed = formatObserved(t.metric, t.expression, t.observed);
    return {
      classname: "loadline.thresholds",
      name,
      ...(t.passed
        ? {}
        : {
            failure: {
              type: "threshold",
              message: `${t.metric}: observed ${observed}, expected ${t.expression}`,
              detail: `metric: ${t.metric}\nexpression: ${t.expression}\nobserved: ${t.observed ?? "null"}${t.over ? `\nover: ${t.over}` : ""}${t.abortOnFail ? "\nabortOnFail: true" : ""}`,
            },
          }),
    };
  });
}

/**
 * Checks: the run's windows carry the counts of checks passed and failed, not per check; so one
 * test case `checks` for the totals, and one per request that declares checks, failed when some of
 * its requests failed a check.
 */
function checkCases(r: RunReport): TestCase[] {
  const { passed, failed, requests } = r.checks;
  if (passed + failed === 0 && requests.length === 0) return [];
  const total = passed + failed;
  const cases: TestCase[] = [
    {
      classname: "loadline.checks",
      name: "checks",
      ...(failed > 0
        ? {
            failure: {
              type: "check",
              message: `${formatCount(failed)} of ${formatCount(total)} checks failed (${formatPercent(failed / total)})`,
              detail: `passed: ${passed}\nfailed: ${failed}`,
            },
          }
        : {}),
    },
  ];
  for (const c of requests) {
    cases.push({
      classname: "loadline.checks",
      name: `${c.method} ${c.name}: ${c.checks.join("; ")}`,
      ...(c.failed > 0
        ? {
            failure: {
              type: "check",
              message: `${formatCount(c.failed)} of ${formatCount(c.requests)} requests failed a check (${formatPercent(c.failed / Math.max(1, c.requests))})`,
              detail: c.checks.join("\n"),
            },
          }
        : {}),
    });
  }
  return cases;
}

function suite(name: string, cases: TestCase[], timestamp: string, time: number): string {
  const failures = cases.filter((c) => c.failure).length;
  const lines = [
    `  <testsuite name="${x(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0" timestamp="${x(timestamp)}" time="${time}">`,
  ];
  for (const c of cases) {
    const open = `    <testcase classname="${x(c.classname)}" name="${x(c.name)}" time="0"`;
    if (!c.failure) lines.push(`${open}/>`);
    else {
      lines.push(`${open}>`);
      lines.push(`      <failure type="${x(c.failure.type)}" message="${x(c.failure.message)}">${x(c.failure.detail)}</failure>`);
      lines.push("    </testcase>");
    }
  }
  lines.push("  </testsuite>");
  return lines.join("\n");
}

/**
 * The report as JUnit XML, which CI systems show natively: a suite for the run (did it complete),
 * one for the thresholds (a test case each) and one for the checks.
 */
export function renderJunit(r: RunReport): string {
  const time = seconds(r);
  const timestamp = (r.run.startedAt ?? r.run.createdAt).slice(0, 19);
  const suites = [
    { name: "run", cases: runCases(r) },
    { name: "thresholds", cases: thresholdCases(r) },
    { name: "checks", cases: checkCases(r) },
  ];
  const tests = suites.reduce((n, s) => n + s.cases.length, 0);
  const failures = suites.reduce((n, s) => n + s.cases.filter((c) => c.failure).length, 0);
  const title = `loadline ${r.test?.name ?? r.run.loadTestId} run ${r.run.id}`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${x(title)}" tests="${tests}" failures="${failures}" errors="0" time="${time}">`,
    ...suites.map((s) => suite(`${s.name}`, s.cases, timestamp, s.name === "run" ? time : 0)),
    "</testsuites>",
    "",
  ].join("\n");
}
