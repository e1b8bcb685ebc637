import { type SseStep, STREAM_ROW_NAMES, type TlsOptions } from "@loadline/core";
import { failureOf } from "./failure.ts";
import { MessageInspection, messageView } from "./message-inspection.ts";
import { type SseEvent, SseParser } from "./sse-parser.ts";
import { unguardedStreams } from "./stream-connector.ts";
import {
  builtinsSetter,
  interruptedRecord,
  NO_CHECKS,
  type StreamStepRun,
  StreamTarget,
  streamFailureKind,
  streamRecord,
} from "./stream-target.ts";
import type { TransportFailureKind } from "./transport.ts";
import type { Target } from "./url.ts";
import type { VariableTable } from "./variables.ts";

/** Why a stream ended before its count: the deadline, the stop, or the server (or the network) closing it. */
type StreamEnd = "count" | "deadline" | "stopped" | "closed";

/**
 * An sse step compiled once per scenario: a GET read as an event stream. Rows: `SSE first
 * <name>` (from the send to the first event) and `SSE next <name>` (from an event to the next),
 * one per event, each counting one message in and the event's checks and extractions. A
 * refused connection or an error status fails the first row; a count not reached fails the row
 * waited for (`timeout` at the deadline, `reset` when the server closed the stream).
 */
export class SsePlan {
  readonly kind = "sse";
  private readonly firstName: string;
  private readonly nextName: string;
  private readonly target: StreamTarget;
  private readonly count: number | undefined;
  /** When the step closes the stream: its timeout, or its duration, whichever comes first. */
  private readonly deadlineMs: number;
  private readonly inspection: MessageInspection;
  private readonly setBuiltins: (values: string[]) => void;

  constructor(step: SseStep, target: Target, table: VariableTable, scenarioRefs: Set<number>, testTls?: TlsOptions) {
    const refs = new Set<number>();
    const name = step.name ?? step.url;
    this.firstName = STREAM_ROW_NAMES.sseFirst(name);
    this.nextName = STREAM_ROW_NAMES.sseNext(name);
    this.target = new StreamTarget(step.url, step.headers, target, table, refs, step.tls ?? testTls);
    this.count = step.count;
    this.deadlineMs = Math.min(step.timeoutMs ?? Number.POSITIVE_INFINITY, step.durationMs ?? Number.POSITIVE_INFINITY);
    this.inspection = new MessageInspection(step.checks, step.extract, table);
    this.setBuiltins = builtinsSetter(refs);
    for (const r of refs) scenarioRefs.add(r);
  }

  /** Reads the stream to its count or deadline, then closes it; true when the stop cut it short. Never throws. */
  async run(run: StreamStepRun): Promise<boolean> {
    const { values, signal, record } = run;
    this.setBuiltins(values);
    const startedAt = performance.now();
    const closer = new AbortController();
    let end: StreamEnd = "closed";
    const stop = () => {
      end = "stopped";
      closer.abort();
    };
    signal.addEventListener("abort", stop, { once: true });
    const timer = setTimeout(() => {
      end = "deadline";
      closer.abort();
    }, this.deadlineMs);
    let received = 0;
    let lastAt = startedAt;
    let status: number | null = null;
    let failure: TransportFailureKind | null = null;
    const onEvent = (event: SseEvent) => {
      const now = performance.now();
      const view = messageView(event.data, status ?? 200, now - lastAt);
      const failed = this.inspection.failedChecks(view) + this.inspection.extract(view, values);
      const checks = { passed: this.inspection.count - failed, failed };
      record({
        ...streamRecord(
          received === 0 ? this.firstName : this.nextName,
          "SSE",
          lastAt,
          now,
          status,
          failed > 0 ? "check" : null,
          checks,
          received === 0 && run.first,
        ),
        bytesIn: Buffer.byteLength(event.data),
        messagesIn: 1,
      });
      received++;
      lastAt = now;
      if (received === this.count) {
        end = "count";
        closer.abort();
      }
    };
    try {
      if (signal.aborted) stop();
      const req = this.target.render(values, run.cookies);
      const dispatcher = (run.transport.streams ?? unguardedStreams).dispatcherFor(req.origin, this.target.tls);
      const res = await dispatcher.request({
        origin: req.origin,
        path: req.path,
        method: "GET",
        headers: { accept: "text/event-stream", ...req.headers },
        signal: closer.signal,
        bodyTimeout: 0,
      });
      status = res.statusCode;
      if (status >= 300) {
        res.body.destroy();
        record(
          streamRecord(
            this.firstName,
            "SSE",
            startedAt,
            performance.now(),
            status,
            failureOf(null, status, 0) ?? "4xx",
            NO_CHECKS,
            run.first,
          ),
        );
        return false;
      }
      const parser = new SseParser();
      const decoder = new TextDecoder();
      for await (const chunk of res.body)
        for (const event of parser.feed(decoder.decode(chunk as Buffer, { stream: true }))) onEvent(event);
    } catch (error) {
      if (end === "closed") failure = streamFailureKind(error, status !== null);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", stop);
      closer.abort();
    }
    return this.ended(end, failure, received, lastAt, status, run);
  }

  /** Records why the stream ended when it owed more events (or the stop cut it); true when stopped. */
  private ended(
    end: StreamEnd,
    failure: TransportFailureKind | null,
    received: number,
    lastAt: number,
    status: number | null,
    run: StreamStepRun,
  ): boolean {
    const name = received === 0 ? this.firstName : this.nextName;
    const first = received === 0 && run.first;
    if (end === "stopped") {
      run.record(interruptedRecord(name, "SSE", lastAt, first));
      return true;
    }
    if (end === "count") return false;
    if (failure === null && (this.count === undefined || (end === "deadline" && received >= this.count))) return false;
    const kind = failure ?? (end === "deadline" ? "timeout" : "reset");
    const checks = { passed: 0, failed: this.inspection.count };
    run.record(
      streamRecord(name, "SSE", lastAt, performance.now(), kind === "connect" || kind === "blocked" ? null : status, kind, checks, first),
    );
    return false;
  }
}
