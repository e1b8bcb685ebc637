import { qs } from "../api.ts";
import { ago, duration } from "../format.ts";
import { useLiveRuns } from "../live-runs.ts";
import { href, navigate } from "../router.ts";
import type { LoadTestView, Page, RunView } from "../types.ts";
import { Empty, ErrorBox, StatusBadge, VerdictBadge } from "../ui.tsx";
import { useData } from "../use-data.ts";

/** The tenant's load tests: searched by name, filtered by tag, each with its latest run. */
export function TestsPage({ query }: { query: URLSearchParams }) {
  const tag = query.get("tag") ?? "";
  const search = query.get("q") ?? "";
  const tests = useData<Page<LoadTestView>>(`/v1/load-tests${qs({ tag, limit: 500 })}`);
  // The runs the latest of each test is picked from, kept current by push.
  const runs = useLiveRuns({ limit: 200 });
  const latest = new Map<string, RunView>();
  for (const r of runs.data?.items ?? []) if (!latest.has(r.loadTestId)) latest.set(r.loadTestId, r);

  const setQuery = (next: { tag?: string; q?: string }) => {
    const p = { tag, q: search, ...next };
    navigate(`#/tests${qs(p)}`);
  };
  const needle = search.trim().toLowerCase();
  const items = (tests.data?.items ?? []).filter(
    (t) =>
      !needle ||
      t.name.toLowerCase().includes(needle) ||
      (t.description ?? "").toLowerCase().includes(needle) ||
      t.targetUrl.includes(needle),
  );
  const allTags = [...new Set((tests.data?.items ?? []).flatMap((t) => t.tags))].sort();

  return (
    <div class="page">
      <div class="page-head">
        <h1>Load tests</h1>
        <div class="tools">
          <input
            type="search"
            class="search"
            placeholder="Search by name…"
            value={search}
            onInput={(e) => setQuery({ q: e.currentTarget.value })}
            data-test-search
          />
          <a class="button primary" href={href("tests", "new")} data-new-test>
            New test
          </a>
        </div>
      </div>
      {(tag || allTags.length > 0) && (
        <div class="chips">
          <span class="muted">Tags:</span>
          {tag && (
            <button type="button" class="chip active" onClick={() => setQuery({ tag: "" })}>
              {tag} ✕
            </button>
          )}
          {allTags
            .filter((t) => t !== tag)
            .map((t) => (
              <button type="button" key={t} class="chip" onClick={() => setQuery({ tag: t })}>
                {t}
              </button>
            ))}
        </div>
      )}
      <ErrorBox error={tests.error} />
      <div class="card">
        {items.length === 0 && !tests.loading ? (
          <Empty>{needle || tag ? "No test matches." : "No load test yet: make one with New test."}</Empty>
        ) : (
          <table class="table" data-tests-table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Tags</th>
                <th>Target</th>
                <th class="num">Users</th>
                <th class="num">Duration</th>
                <th>Latest run</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {items.map((t) => {
                const run = latest.get(t.id);
                return (
                  <tr key={t.id} data-test-row={t.name}>
                    <td>
                      <a href={href("tests", t.id)} class="strong">
                        {t.name}
                      </a>
                      {t.description && <div class="muted small">{t.description}</div>}
                    </td>
                    <td>
                      {t.tags.map((x) => (
                        <button type="button" key={x} class="chip small" onClick={() => setQuery({ tag: x })}>
                          {x}
                        </button>
                      ))}
                    </td>
                    <td class="mono small">{t.targetUrl}</td>
                    <td class="num">{t.defaultUsers}</td>
                    <td class="num">{duration(t.defaultDurationSec)}</td>
                    <td>
                      {run ? (
                        <a href={href("runs", run.id)} class="run-cell">
                          <StatusBadge status={run.status} /> <VerdictBadge verdict={run.verdict} />{" "}
                          <span class="muted small">{ago(run.createdAt)}</span>
                        </a>
                      ) : (
                        <span class="muted">never run</span>
                      )}
                    </td>
                    <td class="muted small">{ago(t.updatedAt)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
