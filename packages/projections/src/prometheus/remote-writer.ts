import { sleep } from "@loadline/core";
import type { Logger } from "@loadline/service";
import { Counter, type Registry } from "prom-client";
import type { RemoteWriteConfig } from "./remote-write-config.ts";
import { encodeWriteRequest, REMOTE_WRITE_HEADERS } from "./remote-write-encoding.ts";
import type { TimedSample } from "./sealed-seconds.ts";

export type RemoteWriterOptions = {
  config: Pick<RemoteWriteConfig, "url" | "headers">;
  log: Logger;
  registry?: Registry | undefined;
  /** Samples waiting at most; past it the oldest are dropped (the endpoint is away: memory stays bounded). */
  maxQueued?: number;
  /** Samples per request at most. */
  batchSize?: number;
  /** First retry delay (ms); it doubles up to maxRetryDelayMs. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  requestTimeoutMs?: number;
};

/** Whether an answer says to send the same again later (the protocol: 5xx and 429 yes, other 4xx never). */
const retryable = (status: number): boolean => status === 429 || status >= 500;

/**
 * Sends samples to a remote write endpoint in order, batch by batch: a batch is retried with
 * backoff until it is taken, refused for good (a 4xx), or the writer stops. Nothing waits on it
 * but its own loop; what cannot be sent while the queue is full is dropped, oldest first.
 */
export class RemoteWriter {
  private queue: TimedSample[] = [];
  /** The wait before the next retry: kept across flushes, so a long outage backs off once. */
  private delay: number;
  private readonly sent: Counter;
  private readonly dropped: Counter<"reason">;
  private readonly failures: Counter<"kind">;

  constructor(private readonly opts: RemoteWriterOptions) {
    this.delay = opts.retryDelayMs ?? 500;
    const registers = opts.registry ? [opts.registry] : [];
    this.sent = new Counter({
      name: "loadline_remote_write_samples_sent_total",
      help: "Run samples a remote write endpoint took",
      registers,
    });
    this.dropped = new Counter({
      name: "loadline_remote_write_samples_dropped_total",
      help: "Run samples never sent: the queue was full, or the endpoint refused them for good",
      labelNames: ["reason"],
      registers,
    });
    this.failures = new Counter({
      name: "loadline_remote_write_failures_total",
      help: "Remote write requests that failed (retried unless refused)",
      labelNames: ["kind"],
      registers,
    });
  }

  get queued(): number {
    return this.queue.length;
  }

  enqueue(samples: readonly TimedSample[]): void {
    this.queue.push(...samples);
    const over = this.queue.length - (this.opts.maxQueued ?? 500_000);
    if (over > 0) {
      this.queue.splice(0, over);
      this.dropped.inc({ reason: "queue_full" }, over);
    }
  }

  /** Sends what is queued, retrying as needed, until the queue is empty or `signal` aborts. */
  async flush(signal: AbortSignal): Promise<void> {
    const batchSize = this.opts.batchSize ?? 10_000;
    while (this.queue.length > 0 && !signal.aborted) {
      const batch = this.queue.slice(0, batchSize);
      const outcome = await this.send(batch, signal);
      if (outcome === "retry") {
        await sleep(this.delay, signal);
        this.delay = Math.min(this.delay * 2, this.opts.maxRetryDelayMs ?? 30_000);
        continue;
      }
      // Taken or refused for good: either way these are done (the queue may have dropped some of them meanwhile).
      this.queue.splice(0, Math.min(batch.length, this.queue.length));
      this.delay = this.opts.retryDelayMs ?? 500;
    }
  }

  private async send(batch: readonly TimedSample[], signal: AbortSignal): Promise<"ok" | "refused" | "retry"> {
    const { config, log } = this.opts;
    try {
      const res = await fetch(config.url, {
        method: "POST",
        headers: { ...config.headers, ...REMOTE_WRITE_HEADERS },
        body: encodeWriteRequest(batch),
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.opts.requestTimeoutMs ?? 10_000)]),
      });
      const detail = res.ok ? "" : (await res.text().catch(() => "")).slice(0, 300);
      if (res.ok) {
        this.sent.inc(batch.length);
        return "ok";
      }
      if (retryable(res.status)) {
        this.failures.inc({ kind: "retried" });
        log.warn({ status: res.status, detail }, "remote write failed: retrying");
        return "retry";
      }
      this.failures.inc({ kind: "refused" });
      this.dropped.inc({ reason: "refused" }, batch.length);
      log.error({ status: res.status, detail, samples: batch.length }, "remote write refused the samples: dropped");
      return "refused";
    } catch (err) {
      if (signal.aborted) return "retry";
      this.failures.inc({ kind: "retried" });
      log.warn({ err }, "remote write could not reach the endpoint: retrying");
      return "retry";
    }
  }
}
