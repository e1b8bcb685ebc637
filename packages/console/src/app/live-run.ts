import { useEffect, useRef, useState } from "preact/hooks";
import { type ApiError, request } from "./api.ts";
import { readEventStream } from "./event-stream.ts";
import { newerRun } from "./run-control.ts";
import { RunSeries } from "./run-series.ts";
import type { LiveSecond, RunView } from "./types.ts";

export type LivePhase = "connecting" | "live" | "reconnecting" | "ended" | "error";

export type LiveRun = {
  run: RunView | null;
  series: RunSeries;
  /** The series' version when this was drawn: changes whenever a second came in. */
  version: number;
  phase: LivePhase;
  error: ApiError | null;
};

/** How often a queued run is read again: its place in the queue moves with other runs' events, which its stream does not carry. */
export const QUEUED_REFRESH_MS = 5000;

/**
 * A run as its live stream (`GET /v1/runs/{id}/live?endpoints=false`) tells it: the run view and
 * every merged second, from the first (the catch-up) to the end, for a finished run as for one
 * running: the same page either way. The seconds come without their per-endpoint figures (an
 * hour of 20 endpoints is ~20× less to read and parse); the page takes those from the whole-run
 * aggregate. Updates are drawn at most once an animation frame, however fast they come.
 *
 * Every view of the run (the stream's, `offer`ed ones: an action's answer, a queued run's
 * re-read) goes through newerRun: the higher `version` is kept, so a late one never turns the
 * page back, and every field of the view (its queue, pause, control, who cancelled) is the
 * newest.
 */
export function useLiveRun(runId: string): LiveRun & { offer: (run: RunView) => void } {
  const [state, setState] = useState<LiveRun>(() => ({ run: null, series: new RunSeries(), version: 0, phase: "connecting", error: null }));
  const offerRef = useRef<(run: RunView) => void>(() => {});
  const [offer] = useState(() => (run: RunView) => offerRef.current(run));

  useEffect(() => {
    const series = new RunSeries();
    const abort = new AbortController();
    let next: LiveRun = { run: null, series, version: 0, phase: "connecting", error: null };
    let frame = 0;
    const flush = () => {
      frame = 0;
      setState({ ...next, version: series.version });
    };
    const update = (change: Partial<LiveRun>) => {
      next = { ...next, ...change };
      if (!frame) frame = requestAnimationFrame(flush);
    };
    const take = (run: RunView) => {
      if (run.id !== runId) return;
      const chosen = newerRun(next.run, run);
      if (chosen !== next.run) update({ run: chosen });
    };
    offerRef.current = take;
    setState(next);

    void readEventStream(
      `/v1/runs/${encodeURIComponent(runId)}/live?endpoints=false`,
      {
        onOpen: () => update({ phase: "live" }),
        onRetry: () => update({ phase: "reconnecting" }),
        onError: (error) => update({ phase: "error", error }),
        onEvent: (e) => {
          if (e.event === "run") take(JSON.parse(e.data) as RunView);
          else if (e.event === "second") {
            series.add(JSON.parse(e.data) as LiveSecond);
            update({});
          } else if (e.event === "end") update({ phase: "ended" });
        },
      },
      abort.signal,
    );
    return () => {
      abort.abort();
      offerRef.current = () => {};
      if (frame) cancelAnimationFrame(frame);
    };
  }, [runId]);

  // A queued run's place in the queue, read again while it waits.
  const queued = state.run?.status === "Queued";
  useEffect(() => {
    if (!queued) return;
    const abort = new AbortController();
    const t = setInterval(() => {
      request<RunView>(`/v1/runs/${encodeURIComponent(runId)}`, { signal: abort.signal }).then(offer, () => {});
    }, QUEUED_REFRESH_MS);
    return () => {
      clearInterval(t);
      abort.abort();
    };
  }, [runId, queued]);

  return { ...state, offer };
}
