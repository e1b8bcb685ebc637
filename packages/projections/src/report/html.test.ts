import { describe, expect, it } from "vitest";
import { renderHtml } from "./html.ts";
import { runReportOf } from "./report-data.ts";
import { fixtureActions, fixtureInputs, fixtureReport, fixtureSut } from "./test-report-fixture.ts";

const chart = (html: string, id: string) => new RegExp(`<svg class="chart" data-chart="${id}"[^>]*>(.*?)</svg>`).exec(html)?.[1] ?? "";
const pathsOf = (svg: string) =>
  [...svg.matchAll(/<path class="line" data-series="([^"]*)" d="([^"]*)"/g)].map((m) => ({ series: m[1], d: m[2] }));

describe("the HTML report", () => {
  const html = renderHtml(fixtureReport());

  it("is one document that fetches nothing", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|url\(|@import|href="http/i);
    expect(html).toContain("Content-Security-Policy");
  });

  it("warns under the figures of the seconds the generator saturated, naming the worker, and says nothing when none was", () => {
    expect(html).not.toContain("generator-saturated");
    const worker = {
      workerId: "w-<2>",
      seconds: 12,
      saturatedSeconds: 3,
      saturated: ["2026-03-01T10:00:04.000Z"],
      loopDelayP95Ms: 64.2,
      loopDelayMaxMs: 90,
      timerSlipP95Ms: 71,
      timerSlipMaxMs: 88,
      gcPauseMs: 12,
      busy: 0.99,
    };
    const quiet = { ...worker, workerId: "w-1", saturatedSeconds: 0, saturated: [] };
    const warned = renderHtml(
      runReportOf({
        ...fixtureInputs,
        aggregate: { ...fixtureInputs.aggregate, generator: { saturatedSeconds: 3, workers: [quiet, worker] } },
      }),
    );
    const callout = /<div class="callout" id="generator-saturated">(.*?)<\/div>/.exec(warned)?.[1] ?? "";
    expect(callout).toContain("The load generator saturated 3 worker-second(s)");
    expect(callout).toContain('<b class="mono">w-&lt;2&gt;</b>: 3 of 12 s from');
    expect(callout).not.toContain("w-1");
    expect(
      renderHtml(
        runReportOf({ ...fixtureInputs, aggregate: { ...fixtureInputs.aggregate, generator: { saturatedSeconds: 0, workers: [quiet] } } }),
      ),
    ).not.toContain("generator-saturated");
  });

  it("heads with the test, the verdict and the status", () => {
    expect(html).toContain("<h1>Checkout &lt;flow&gt; &amp; friends</h1>");
    expect(html).toContain('data-verdict="failed"');
    expect(html).toContain("Completed · degraded");
  });

  it("draws each chart: a path per series with points in the plot", () => {
    for (const [id, series] of [
      ["rps", ["requests/s"]],
      ["latency", ["p50", "p95", "p99"]],
      ["errors", ["error rate"]],
      ["users", ["users"]],
      ["distribution", ["latency"]],
    ] as const) {
      const paths = pathsOf(chart(html, id));
      expect(
        paths.map((p) => p.series),
        id,
      ).toEqual(series);
      for (const p of paths) expect(p.d, `${id} ${p.series}`).toMatch(/^M\d+(\.\d)?,\d+(\.\d)?(L\d+(\.\d)?,\d+(\.\d)?)+/);
    }
  });

  it("breaks the latency lines over a second without requests", () => {
    // 12 points, the 7th without requests: two runs of points.
    for (const p of pathsOf(chart(html, "latency"))) expect(p.d?.match(/M/g)).toHaveLength(2);
  });

  it("shows thresholds, endpoints, checks, responses, workers, gaps and the definition", () => {
    expect(html).toContain('<td class="mono">error_rate</td><td class="mono">rate &lt; 0.005 <span class="muted">over 30s</span>');
    expect(html).toContain("1 of 2 passed");
    expect(html).toMatch(/<span class="pill none">POST<\/span> login<\/td><td class="num">1,200<\/td>/);
    expect(html).toContain("4,776 passed, 24 failed");
    expect(html).toContain('<td class="mono">$.token exists</td>'.replace("<td", "<div").replace("</td>", "</div>"));
    expect(html).toMatch(/<td class="mono">500<\/td><td class="num">12<\/td>/);
    expect(html).toMatch(/<td class="mono">check<\/td><td class="num">24<\/td>/);
    expect(html).toContain('<td class="mono">w-2</td><td><span class="pill failed">lost</span>');
    expect(html).toMatch(/Lost worker.*<td class="mono">w-2<\/td><td class="num">2<\/td>/);
    expect(html).toContain('<span class="secret">{{secrets.SHOP_TOKEN}}</span>');
  });

  it("says when there is nothing to draw or list", () => {
    const empty = renderHtml(
      runReportOf({
        ...fixtureInputs,
        run: {
          ...fixtureInputs.run,
          workers: [],
          gaps: [],
          reason: null,
          degraded: null,
          coverage: null,
          thresholds: [],
          verdict: "none",
        } as never,
        loadTest: null,
        aggregate: { ...fixtureInputs.aggregate, endpoints: [], checksPassed: 0, checksFailed: 0, statusCodes: {}, failuresByKind: {} },
        timeseries: { step: 1, points: [] },
        distribution: { requests: 0, percentiles: [] },
      }),
    );
    expect(empty).toContain('data-verdict="none"');
    expect(empty.match(/>No data</g)).toHaveLength(5);
    expect(empty).toContain("This run has no thresholds");
    expect(empty).toContain("No requests were measured.");
    expect(empty).toContain("This test declares no checks.");
    expect(empty).toContain("The load test was deleted since this run.");
  });
});

describe("the HTML report's cost section", () => {
  const cost = {
    currency: "EUR",
    total: 0.0123,
    breakdown: { compute: 0.012, egress: 0.0003, requests: 0 },
    perThousandRequests: 0.0041,
    perIteration: 0.000123,
    usage: { vcpuSeconds: 1080, egressBytes: 3_300_000, requests: 3000, iterations: 100, estimated: true },
    model: { currency: "EUR", vcpuHour: 0.04, egressGb: 0.09, perMillionRequests: 0 },
  };

  it("shows the total, each part with the usage it prices, and says when it is estimated", () => {
    const html = renderHtml({ ...fixtureReport(), cost });
    const section = /<section id="cost">(.*?)<\/section>/.exec(html)?.[1] ?? "";
    expect(section).toContain("0.012 EUR");
    expect(section).toContain("1,080 vCPU-s × 0.04 EUR/vCPU-h");
    expect(section).toContain("3.1 MiB sent and received");
    expect(section).toContain("0.00012 EUR per iteration");
    expect(section).toContain("Estimated");
  });

  it("has no cost section without a cost", () => {
    expect(renderHtml(fixtureReport())).not.toContain('id="cost"');
  });
});

describe("the HTML report's system under test and agent actions", () => {
  const html = renderHtml({ ...fixtureReport(), sut: fixtureSut, actions: fixtureActions });
  const section = (page: string, id: string) => new RegExp(`<section id="${id}">(.*?)</section>`).exec(page)?.[1] ?? "";
  // The time charts: 520 wide, the plot from x 54 to 506, over the 12 points' seconds.
  const px = (seconds: number) => String(Math.round((54 + (seconds / 12) * 452) * 10) / 10);
  const marksOf = (svg: string) =>
    [...svg.matchAll(/<g class="mark" data-mark="([^"]*)"><title>[^<]*<\/title><line x1="([^"]+)" x2="([^"]+)"[^>]*stroke-dasharray/g)].map(
      (m) => [m[1], m[2], m[3]],
    );
  const lastX = (d: string) => /([\d.]+),[\d.]+$/.exec(d)?.[1];

  it("charts each SUT group with data under the latency charts, a line per agent's series", () => {
    const sut = section(html, "sut");
    expect([...sut.matchAll(/data-chart="([^"]+)"/g)].map((m) => m[1])).toEqual(["sut-cpu", "sut-memory", "sut-network"]);
    expect(pathsOf(chart(html, "sut-cpu")).map((p) => p.series)).toEqual(["api-1 host.cpu.busy", "db-1 host.cpu.busy"]);
    expect(pathsOf(chart(html, "sut-memory")).map((p) => p.series)).toEqual(["api-1 host.memory.usedBytes"]);
    expect(html.indexOf('<section id="charts">')).toBeLessThan(html.indexOf('<section id="sut">'));
    expect(html.indexOf('<section id="sut">')).toBeLessThan(html.indexOf('<section id="distribution">'));
  });

  it("puts each SUT second on the time charts' clock", () => {
    const [api, db] = pathsOf(chart(html, "sut-cpu"));
    expect(api!.d).toMatch(/^M54,/);
    expect(lastX(api!.d!)).toBe(px(11));
    expect(lastX(pathsOf(chart(html, "latency"))[0]!.d!)).toBe(px(11)); // the latency's last point, the same second
    expect(lastX(db!.d!)).toBe(px(4));
    expect(db!.d!.match(/M/g)).toHaveLength(2); // a second it did not measure is a gap, not a zero
  });

  it("marks each action with a dashed line and its label at the second it started, or was asked", () => {
    const expected = [
      ["restart-api @api-1: completed", px(3), px(3)],
      ["set-flag @db-1: failed", px(7), px(7)],
    ];
    for (const id of ["rps", "latency", "errors", "users", "sut-cpu", "sut-memory", "sut-network"]) {
      const svg = chart(html, id);
      expect(marksOf(svg), id).toEqual(expected);
      expect(svg).toContain('class="mark-label"');
      expect(svg).toContain(">restart-api @api-1: completed</text>");
    }
    expect(marksOf(chart(html, "distribution"))).toEqual([]);
  });

  it("lists the actions with their outcomes", () => {
    const actions = section(html, "actions");
    expect(actions).toMatch(/<td class="mono">restart-api<\/td><td class="mono">api-1<\/td>.*completed.*0:03.*0:04.*812 ms.*exit code 0/);
    expect(actions).toMatch(
      /<td class="mono">set-flag<\/td><td class="mono">db-1<\/td>.*failed.*asked at 0:07.*agent &lt;db-1&gt; refused/,
    );
  });

  it("has neither section nor marks without SUT data nor actions", () => {
    for (const page of [renderHtml(fixtureReport()), renderHtml({ ...fixtureReport(), sut: { agents: [], series: [] }, actions: [] })]) {
      expect(page).not.toContain('id="sut"');
      expect(page).not.toContain('id="actions"');
      expect(page).not.toContain('class="marks"');
    }
  });

  it("names a series without its agent when there is one agent", () => {
    const one = renderHtml({
      ...fixtureReport(),
      sut: { agents: ["api-1"], series: fixtureSut.series.filter((s) => s.agentId === "api-1") },
    });
    expect(pathsOf(chart(one, "sut-cpu")).map((p) => p.series)).toEqual(["host.cpu.busy"]);
    expect(one).not.toContain('class="marks"');
  });
});
