import { useEffect, useState } from "preact/hooks";
import type { ApiError } from "./api.ts";
import { readEventStream } from "./event-stream.ts";
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

/**
 * A run as its live stream (`GET /v1/runs/{id}/live?endpoints=false`) tells it: the run view and
 * every merged second, from the first (the catch-up) to the end, for a finished run as for one
 * running: the same page either way. The seconds come without their per-endpoint figures (an
 * hour of 20 endpoints is ~20× less to read and parse); the page takes those from the whole-run
 * aggregate. Updates are drawn at most once an animation frame, however fast they come.
 */
export function useLiveRun(runId: string): LiveRun {
  const [state, setState] = useState<LiveRun>(() => ({ run: null, series: new RunSeries(), version: 0, phase: "connecting", error: null }));

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
    setState(next);

    void readEventStream(
      `/v1/runs/${encodeURIComponent(runId)}/live?endpoints=false`,
      {
        onOpen: () => update({ phase: "live" }),
        onRetry: () => update({ phase: "reconnecting" }),
        onError: (error) => update({ phase: "error", error }),
        onEvent: (e) => {
          if (e.event === "run") update({ run: JSON.parse(e.data) as RunView });
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
      if (frame) cancelAnimationFrame(frame);
    };
  }, [runId]);

  return state;
}
