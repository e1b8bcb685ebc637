import { useEffect, useState } from "preact/hooks";
import { type ApiError, qs, request } from "./api.ts";
import { readEventStream } from "./event-stream.ts";
import type { Page, RunStatus, RunView } from "./types.ts";

/** Which runs a list shows: `GET /v1/runs`'s filters and page. */
export type RunsQuery = { status?: RunStatus | ""; loadTestId?: string; limit: number; offset?: number };

export const runsPath = (q: RunsQuery): string =>
  `/v1/runs${qs({ status: q.status, loadTestId: q.loadTestId, limit: q.limit, offset: q.offset ?? 0 })}`;

const matches = (q: RunsQuery, r: RunView): boolean =>
  (!q.status || r.status === q.status) && (!q.loadTestId || r.loadTestId === q.loadTestId);

/** The list's order (the read model's): newest created first, then by id. */
const newerFirst = (a: RunView, b: RunView): number =>
  a.createdAt === b.createdAt ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : a.createdAt < b.createdAt ? 1 : -1;

/**
 * A page of runs with one run's new state applied (pure; the same page when nothing changes):
 * a run on the page is replaced when its version is higher (and leaves it when it no longer
 * matches the filter); a run not on it comes in at its place when it matches and falls within
 * the page (a new run, on the first page); the page keeps its length.
 */
export function applyRun(page: Page<RunView>, run: RunView, q: RunsQuery): Page<RunView> {
  const at = page.items.findIndex((r) => r.id === run.id);
  if (at >= 0) {
    if (page.items[at]!.version >= run.version) return page;
    if (!matches(q, run)) return { ...page, items: page.items.filter((r) => r.id !== run.id), total: Math.max(0, page.total - 1) };
    const items = page.items.slice();
    items[at] = run;
    return { ...page, items };
  }
  if (!matches(q, run)) return page;
  // Not on the page: a run this page has not seen. Only the first page takes it (a later one
  // would have to shift by one); it goes where the order puts it, if that is on the page.
  if ((q.offset ?? 0) > 0) return { ...page, total: page.total + 1 };
  const items = [...page.items, run].sort(newerFirst);
  const full = items.length > q.limit;
  if (full && items.at(-1)!.id === run.id) return page; // older than the whole page: an old run changed, not shown here
  return { ...page, items: full ? items.slice(0, q.limit) : items, total: page.total + 1 };
}

export type LiveRuns = { data: Page<RunView> | null; error: ApiError | null; loading: boolean; live: boolean };

/**
 * A list of runs kept current by push: the tenant's change stream (`GET /v1/live`) is opened
 * first, and the list read once it said `ready` (its position then), so that no change between
 * the read and the stream is missed; each `run` event after it is applied by id, the higher
 * `version` kept. The stream reconnects with Last-Event-ID and loses nothing; if it fails for
 * good (its last id refused), it starts over: a fresh stream, the list read again.
 */
export function useLiveRuns(q: RunsQuery): LiveRuns {
  const path = runsPath(q);
  const [state, setState] = useState<LiveRuns>({ data: null, error: null, loading: true, live: false });

  useEffect(() => {
    const abort = new AbortController();
    let page: Page<RunView> | null = null;
    /** Changes that came before the list did: applied to it when it comes. */
    let early: RunView[] = [];
    let frame = 0;
    const show = (change: Partial<LiveRuns>) => setState((s) => ({ ...s, ...change }));
    const draw = () => {
      frame = 0;
      show({ data: page });
    };
    setState({ data: null, error: null, loading: true, live: false });

    const readList = async () => {
      try {
        let fresh = await request<Page<RunView>>(path, { signal: abort.signal });
        for (const r of early) fresh = applyRun(fresh, r, q);
        early = [];
        page = fresh;
        if (!abort.signal.aborted) show({ data: page, error: null, loading: false });
      } catch (e) {
        if (!abort.signal.aborted) show({ error: e as ApiError, loading: false });
      }
    };

    void (async () => {
      while (!abort.signal.aborted) {
        page = null;
        early = [];
        let failed = false;
        let failedStatus = 0;
        await readEventStream(
          "/v1/live",
          {
            onOpen: () => show({ live: true }),
            onRetry: () => show({ live: false }),
            onError: (error) => {
              failed = true;
              failedStatus = error.status;
              show({ live: false, error });
            },
            onEvent: (e) => {
              if (e.event === "ready") void readList();
              else if (e.event === "run") {
                const run = JSON.parse(e.data) as RunView;
                if (page === null) early.push(run);
                else {
                  const next = applyRun(page, run, q);
                  if (next !== page) {
                    page = next;
                    if (!frame) frame = requestAnimationFrame(draw);
                  }
                }
              }
            },
          },
          abort.signal,
        );
        if (!failed || abort.signal.aborted || [401, 403, 404].includes(failedStatus)) return;
        await new Promise((r) => setTimeout(r, 5000));
      }
    })();
    return () => {
      abort.abort();
      if (frame) cancelAnimationFrame(frame);
    };
    // `path` says all of `q`.
  }, [path]);

  return state;
}
