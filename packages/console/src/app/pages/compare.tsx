import { dateTime, ms, percent, rate, shortId, signedPercent } from "../format.ts";
import { href } from "../router.ts";
import type { MetricComparison, RunComparisonView, SeriesComparison } from "../types.ts";
import { ChangeBadge, Empty, ErrorBox, Section } from "../ui.tsx";
import { useData } from "../use-data.ts";

const METRICS: [string, string, (v: number) => string][] = [
  ["p50", "p50", ms],
  ["p90", "p90", ms],
  ["p95", "p95", ms],
  ["p99", "p99", ms],
  ["p999", "p99.9", ms],
  ["errorRate", "error rate", percent],
  ["rps", "rps", rate],
];

/** Two runs side by side: each figure's change and whether it is beyond the runs' noise (docs/compare.md). */
export function ComparePage({ id, to }: { id: string; to: string }) {
  const cmp = useData<RunComparisonView>(`/v1/runs/${encodeURIComponent(id)}/compare?to=${encodeURIComponent(to)}`);
  if (cmp.error) return <ErrorBox error={cmp.error} />;
  const c = cmp.data;
  if (!c) return <div class="empty">Comparing…</div>;
  return (
    <div class="page">
      <div class="page-head">
        <h1>
          <a href={href("runs", c.runId)}>{shortId(c.runId)}</a> compared with{" "}
          <a href={href("runs", c.comparedWith.runId)}>{shortId(c.comparedWith.runId)}</a>
          {c.comparedWith.via === "baseline" && <span class="badge muted">baseline</span>}
        </h1>
        <div class="tools">
          <ChangeBadge verdict={c.verdict} />
          <span class="muted small">
            {c.counts.better} better · {c.counts.same} same · {c.counts.worse} worse · previous started {dateTime(c.comparedWith.startedAt)}
          </span>
        </div>
      </div>
      {!c.sameTest && <p class="notice">These runs are of different load tests: read the figures with care.</p>}
      <Section title="All requests">
        <SeriesTable series={c.overall} />
      </Section>
      {c.endpoints.map((e) => (
        <Section
          key={`${e.method} ${e.name}`}
          title={`${e.method} ${e.name}`}
          right={e.in !== "both" ? <span class="muted small">only in the {e.in} run</span> : undefined}
        >
          <SeriesTable series={e} />
        </Section>
      ))}
    </div>
  );
}

function SeriesTable({ series }: { series: SeriesComparison }) {
  if (!series.metrics) return <Empty>Not comparable: one run has no request here.</Empty>;
  const metrics = series.metrics;
  return (
    <table class="table compact">
      <thead>
        <tr>
          <th>Figure</th>
          <th class="num">Previous</th>
          <th class="num">Current</th>
          <th class="num">Change</th>
          <th>Verdict</th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <td>requests</td>
          <td class="num">{series.requests.previous.toLocaleString("en-US")}</td>
          <td class="num">{series.requests.current.toLocaleString("en-US")}</td>
          <td />
          <td />
        </tr>
        {METRICS.map(([key, label, fmt]) => {
          const m: MetricComparison | undefined = metrics[key];
          if (!m) return null;
          return (
            <tr key={key}>
              <td>{label}</td>
              <td class="num">{fmt(m.previous)}</td>
              <td class="num">{fmt(m.current)}</td>
              <td class="num">{signedPercent(m.relative)}</td>
              <td>
                <ChangeBadge verdict={m.verdict} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
