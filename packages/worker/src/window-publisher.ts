import { type EventOf, type MetricWindow, newId, sleep } from "@loadline/core";
import { activeTracer, failSpan, type Namespace, type PublishHeaders, startPublish, subjects } from "@loadline/nats";
import type { Logger } from "@loadline/service";
import type { JetStreamClient } from "@nats-io/jetstream";
import type { Context, Span } from "@opentelemetry/api";
import type { WorkerMetrics } from "./metrics.ts";

/** Where a run's windows go. `drain` resolves true once every window handed over is acknowledged. */
export interface WindowSink {
  enqueue(windows: readonly MetricWindow[]): void;
  drain(timeoutMs: number): Promise<boolean>;
  /** Traced: the next window handed over is published in a span child of `parent` (the start of the lanes), carrying its context. */
  traceNext?(parent: Context): void;
}

/** `headers` and `span` only on a traced window (the first of a run): every other window goes as before. */
type Pending = {
  subject: string;
  msgID: string;
  second: number;
  payload: string;
  headers: PublishHeaders | undefined;
  span: Span | undefined;
};

export const MAX_QUEUED_WINDOWS = 600;
const DRAIN_RETRY_MS = 250;

export function windowEvent(window: MetricWindow, tenantId: string): EventOf<"metrics.window"> {
  return {
    id: newId(),
    type: "metrics.window",
    schemaVersion: 1,
    tenantId,
    aggregate: { type: "run", id: window.runId },
    time: new Date().toISOString(),
    actor: `worker:${window.workerId}`,
    causationId: null,
    correlationId: window.runId,
    data: window,
  };
}

/**
 * Publishes one run's windows to the METRICS stream, in order. A window whose publish
 * failed stays queued (bounded: the oldest is dropped first) and is retried on the next
 * enqueue or drain; its msgID `<run>.<worker>.<second>` makes a retry that did land a no-op.
 */
export class WindowPublisher implements WindowSink {
  private readonly queue: Pending[] = [];
  private flushing: Promise<boolean> | undefined;
  private traceParent: Context | undefined;

  constructor(
    private readonly opts: {
      js: JetStreamClient;
      ns: Namespace;
      tenantId: string;
      log: Logger;
      metrics: WorkerMetrics;
      maxQueued?: number;
    },
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  traceNext(parent: Context): void {
    this.traceParent = parent;
  }

  enqueue(windows: readonly MetricWindow[]): void {
    const { ns, tenantId, log, metrics } = this.opts;
    for (const w of windows) {
      const subject = subjects.metrics(ns, tenantId, w.runId, w.workerId);
      const msgID = `${w.runId}.${w.workerId}.${w.second}`;
      const event = windowEvent(w, tenantId);
      const traced = this.traceParent ? this.startTrace(this.traceParent, subject, msgID, event) : undefined;
      this.queue.push({
        subject,
        msgID,
        second: w.second,
        payload: JSON.stringify(traced?.traceparent ? { ...event, traceparent: traced.traceparent } : event),
        headers: traced?.headers,
        span: traced?.span,
      });
    }
    const max = this.opts.maxQueued ?? MAX_QUEUED_WINDOWS;
    while (this.queue.length > max) {
      const dropped = this.queue.shift();
      metrics.windowsDropped.inc();
      log.error({ second: dropped?.second }, "metric window dropped: publish queue full");
    }
    if (windows.length > 0) void this.flush();
  }

  /** The publish span of the window traced, once: later windows are not (a run is not one trace of thousands of spans). */
  private startTrace(parent: Context, subject: string, messageId: string, event: EventOf<"metrics.window">) {
    this.traceParent = undefined;
    const tracer = activeTracer();
    if (!tracer) return undefined;
    const attributes = { "loadline.tenant_id": event.tenantId, "loadline.run_id": event.data.runId, "loadline.event.type": event.type };
    return startPublish(tracer, { subject, messageId, attributes }, parent);
  }

  /** Publishes what is queued, oldest first, until one fails. True when the queue is empty. */
  flush(): Promise<boolean> {
    this.flushing ??= this.publishQueued().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.flush()) && this.queue.length === 0) return true;
      if (Date.now() >= deadline) return false;
      await sleep(DRAIN_RETRY_MS);
    }
  }

  private async publishQueued(): Promise<boolean> {
    const { js, log, metrics } = this.opts;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      try {
        const ack = await js.publish(next.subject, next.payload, { msgID: next.msgID, ...(next.headers ? { headers: next.headers } : {}) });
        next.span?.end();
        next.span = undefined;
        // At debug: what the chaos suite checks the stream against ("no acknowledged window is missing").
        log.debug({ msgID: next.msgID, stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate }, "window acked");
      } catch (err) {
        if (next.span) failSpan(next.span, err);
        next.span?.end();
        next.span = undefined; // its retries go untraced, with its headers still
        metrics.publishFailures.inc();
        log.warn({ err, second: next.second, queued: this.queue.length }, "metric window publish failed: will retry");
        return false;
      }
      // A full queue may have dropped it meanwhile: only remove what was published.
      if (this.queue[0] === next) this.queue.shift();
      metrics.windowsPublished.inc();
    }
    return true;
  }
}
