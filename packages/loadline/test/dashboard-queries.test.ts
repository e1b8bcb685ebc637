import { describe, expect, it } from "vitest";
import { exposedNames, metricNamesOf, queriesOf, variablesOf } from "./dashboard-queries.ts";

describe("dashboard queries", () => {
  it("finds the metric names of PromQL, not its functions, keywords, labels or strings", () => {
    expect(
      metricNamesOf(
        'histogram_quantile(0.95, sum by (le, request) (rate(loadline_run_request_duration_seconds_bucket{run_id="$run_id", request=~"a|b"}[$__rate_interval])))',
      ),
    ).toEqual(["loadline_run_request_duration_seconds_bucket"]);
    expect(metricNamesOf('sum(a_total{x="y"}) / sum without (instance) (b_total) > bool 0.5 or on (job) c')).toEqual([
      "a_total",
      "b_total",
      "c",
    ]);
    expect(metricNamesOf('label_values(loadline_run_requests_total{run_id="$run_id"}, request)')).toEqual(["loadline_run_requests_total"]);
    expect(metricNamesOf("label_values(run_id)")).toEqual([]);
  });

  it("finds the template variables used, Grafana's own aside", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's ${name} syntax, not a template literal
    expect(variablesOf('x{a="$run_id", b=~"${request:regex}", c="[[old]]"}[$__rate_interval]')).toEqual(["run_id", "request", "old"]);
  });

  it("reads the queries of panels, rows and query variables", () => {
    const d = {
      panels: [{ targets: [{ expr: "a" }] }, { panels: [{ targets: [{ expr: "b" }] }] }],
      templating: {
        list: [
          { name: "v", type: "query", query: { query: "label_values(c, x)" } },
          { name: "ds", type: "datasource", query: "prometheus" },
        ],
      },
    };
    expect(queriesOf(d)).toEqual(["a", "b", "label_values(c, x)"]);
  });

  it("lists the series names of /metrics text, declared families included", () => {
    expect([
      ...exposedNames('# HELP x_total X\n# TYPE x_total counter\nx_total{a="1"} 2\nup 1\n# TYPE h histogram\n# TYPE g gauge\n'),
    ]).toEqual(["x_total", "up", "h", "h_bucket", "h_sum", "h_count", "g"]);
  });
});
