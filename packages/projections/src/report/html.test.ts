import { describe, expect, it } from "vitest";
import { renderHtml } from "./html.ts";
import { runReportOf } from "./report-data.ts";
import { fixtureInputs, fixtureReport } from "./test-report-fixture.ts";

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
