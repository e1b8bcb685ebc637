import { sleep } from "@loadline/core";
import type { Logger } from "@loadline/service";
import type { Registry } from "prom-client";
import type { TenantWindow } from "../rollups.ts";
import { LiveRuns } from "./live-runs.ts";
import { registerFamilies } from "./registered-families.ts";
import type { RemoteWriteConfig } from "./remote-write-config.ts";
import { RemoteWriter } from "./remote-writer.ts";
import { RUN_FAMILIES } from "./run-series.ts";
import { SealedSeconds } from "./sealed-seconds.ts";
import { DEFAULT_SERIES_LIMITS, type SeriesLimits } from "./series-limits.ts";

export type RunMetricsOptions = {
  /** Where the run series are served (/metrics); none when absent. */
  registry?: Registry | undefined;
  /** Where they are pushed each second; nowhere when absent. */
  remoteWrite?: RemoteWriteConfig | null | undefined;
  log: Logger;
  limits?: SeriesLimits;
};

/** How long one push may go on (retrying) before the next seconds are sealed. */
const FLUSH_AT_MOST_MS = 30_000;
/** How long the last push may take at stop. */
const LAST_PUSH_MS = 5_000;

/**
 * The run results as Prometheus series: fed each window the metrics projection merged (once it
 * committed), served on /metrics and, when configured, pushed by remote write. Only the process
 * that holds the metrics projection's lease merges, so only it has series: one writer, however
 * many replicas. Nothing here slows the projection: `merged` only adds to memory.
 */
export class RunMetrics {
  private readonly live: LiveRuns | null;
  private readonly sealed: SealedSeconds | null;
  private readonly writer: RemoteWriter | null;
  private readonly stopping = new AbortController();
  private readonly pushing: Promise<void>;

  constructor(private readonly opts: RunMetricsOptions) {
    const limits = opts.limits ?? DEFAULT_SERIES_LIMITS;
    const live = opts.registry ? new LiveRuns(limits) : null;
    if (live && opts.registry) registerFamilies(opts.registry, Object.values(RUN_FAMILIES), () => live.samples(Date.now()));
    this.live = live;
    const rw = opts.remoteWrite;
    this.sealed = rw ? new SealedSeconds(rw.settleSec, limits) : null;
    this.writer = rw ? new RemoteWriter({ config: rw, log: opts.log.child({ component: "remote-write" }), registry: opts.registry }) : null;
    this.pushing = rw && this.sealed && this.writer ? this.push(this.sealed, this.writer, rw.pushIntervalMs) : Promise.resolve();
  }

  /** Windows the metrics projection has just committed (each exactly once). Never throws. */
  readonly merged = (windows: readonly TenantWindow[]): void => {
    const now = Date.now();
    try {
      this.live?.add(windows, now);
      this.sealed?.add(windows, now);
    } catch (err) {
      this.opts.log.error({ err }, "run series could not take merged windows");
    }
  };

  /** Stops pushing after one last push of every second still pending (bounded). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.pushing;
    if (!this.sealed || !this.writer) return;
    this.writer.enqueue(this.sealed.seal(Date.now(), true));
    await this.writer.flush(AbortSignal.timeout(LAST_PUSH_MS));
  }

  private async push(sealed: SealedSeconds, writer: RemoteWriter, intervalMs: number): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      await sleep(intervalMs, signal);
      if (signal.aborted) return;
      try {
        writer.enqueue(sealed.seal(Date.now()));
        // Bounded: the next seconds are sealed even while the endpoint is away (the writer keeps its backoff).
        await writer.flush(AbortSignal.any([signal, AbortSignal.timeout(Math.max(intervalMs, FLUSH_AT_MOST_MS))]));
      } catch (err) {
        this.opts.log.error({ err }, "remote write push failed");
      }
    }
  }
}
