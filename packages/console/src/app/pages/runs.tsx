import { useState } from "preact/hooks";
import { qs } from "../api.ts";
import { ago, dateTime, duration, rate, runLength, shortId } from "../format.ts";
import { useLiveRuns } from "../live-runs.ts";
import { href, navigate } from "../router.ts";
import { isTerminal, type LoadTestView, type Page, RUN_STATUSES, type RunStatus } from "../types.ts";
import { Empty, ErrorBox, StatusBadge, VerdictBadge } from "../ui.tsx";
import { useData } from "../use-data.ts";

const PAGE = 50;

/** The tenant's runs, newest first: filtered by status and test, paged; two ticked are compared. */
export function RunsPage({ query }: { query: URLSearchParams }) {
  const status = query.get("status") ?? "";
  const loadTestId = query.get("loadTestId") ?? "";
  const offset = Number(query.get("offset") ?? 0) || 0;
  const runs = useLiveRuns({ status: status as RunStatus | "", loadTestId, limit: PAGE, offset });
  const tests = useData<Page<LoadTestView>>("/v1/load-tests?limit=500");
  const names = new Map((tests.data?.items ?? []).map((t) => [t.id, t.name]));
  const [picked, setPicked] = useState<string[]>([]);

  const go = (next: Record<string, string | number>) => navigate(`#/runs${qs({ status, loadTestId, offset: 0, ...next })}`);
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p.slice(-1), id]));
  const total = runs.data?.total ?? 0;

  return (
    <div class="page">
      <div class="page-head">
        <h1>Runs</h1>
        <div class="tools">
          <select value={status} onChange={(e) => go({ status: e.currentTarget.value })} data-filter-status>
            <option value="">Any status</option>
            {RUN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <select value={loadTestId} onChange={(e) => go({ loadTestId: e.currentTarget.value })}>
            <option value="">Any test</option>
            {(tests.data?.items ?? []).map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
          <button
            type="button"
            disabled={picked.length !== 2}
            onClick={() => navigate(`${href("runs", picked[0]!, "compare")}${qs({ to: picked[1] })}`)}
            title="Tick two runs to compare them"
          >
            Compare {picked.length}/2
          </button>
        </div>
      </div>
      <ErrorBox error={runs.error} />
      <div class="card">
        {runs.data && runs.data.items.length === 0 ? (
          <Empty>No run matches.</Empty>
        ) : (
          <table class="table" data-runs-table>
            <thead>
              <tr>
                <th />
                <th>Run</th>
                <th>Test</th>
                <th>Status</th>
                <th>Verdict</th>
                <th class="num">Users</th>
                <th class="num">Length</th>
                <th class="num">Last rps</th>
                <th>Started</th>
              </tr>
            </thead>
            <tbody>
              {(runs.data?.items ?? []).map((r) => (
                <tr key={r.id} class={picked.includes(r.id) ? "picked" : ""}>
                  <td>
                    <input type="checkbox" checked={picked.includes(r.id)} onChange={() => toggle(r.id)} aria-label="compare" />
                  </td>
                  <td class="mono">
                    <a href={href("runs", r.id)} title={r.id}>
                      {shortId(r.id)}
                    </a>
                  </td>
                  <td>{names.get(r.loadTestId) ?? <span class="muted">{shortId(r.loadTestId)}</span>}</td>
                  <td>
                    <StatusBadge status={r.status} />
                    {r.queue && (
                      <span class="muted small" title={r.queue.reason}>
                        #{r.queue.position}
                      </span>
                    )}
                    {r.pausedAt && <span class="badge warn">paused</span>}
                    {r.degraded && <span class="badge warn">degraded</span>}
                  </td>
                  <td>
                    <VerdictBadge verdict={r.verdict} />
                  </td>
                  <td class="num">{r.targetUsers}</td>
                  <td class="num">
                    {duration(runLength(r.startedAt, r.finishedAt))} / {duration(r.durationSec)}
                  </td>
                  <td class="num">{isTerminal(r.status) ? "–" : rate(r.lastMetrics?.rps)}</td>
                  <td class="muted small" title={dateTime(r.startedAt ?? r.createdAt)}>
                    {ago(r.startedAt ?? r.createdAt)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {total > PAGE && (
          <div class="pager">
            <button type="button" disabled={offset === 0} onClick={() => go({ offset: Math.max(0, offset - PAGE) })}>
              ← Newer
            </button>
            <span class="muted">
              {offset + 1}–{Math.min(total, offset + PAGE)} of {total}
            </span>
            <button type="button" disabled={offset + PAGE >= total} onClick={() => go({ offset: offset + PAGE })}>
              Older →
            </button>
          </div>
        )}
      </div>
    </div>
  );
}
