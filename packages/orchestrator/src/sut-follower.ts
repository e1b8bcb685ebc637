import { type EventEnvelope, flattenTelemetry, labelsInclude, parseEvent, type RunState, runSecondOf } from "@loadline/core";
import { type Namespace, type NatsConnection, replayStream, subjects } from "@loadline/nats";
import type { Logger } from "@loadline/service";

/** Where a run's SUT seconds go: a ThresholdTracker's addSut. */
export type SutSink = { addSut(agentId: string, second: number, values: Readonly<Record<string, number>>): void };

export type SutFollower = { close(): void };

/**
 * Feeds a run's `sut{series:...}` thresholds with the telemetry of the agents its `sut` labels name,
 * on the run's seconds: live from core NATS (a JetStream publish reaches core subscribers of its
 * subject too), after what LL_AGENT still holds of the run (a new active orchestrator picks up a
 * run under way). A second seen twice counts once (the sink keys it by agent and second).
 */
export function followSut(opts: {
  nc: NatsConnection;
  ns: Namespace;
  run: { tenantId: string; id: string };
  state: () => RunState | undefined;
  sink: SutSink;
  log: Logger;
}): SutFollower {
  const { nc, ns, run, state, sink, log } = opts;
  const filter = subjects.tenantTelemetry(ns, run.tenantId);
  const take = (raw: unknown, seq?: number) => {
    let event: EventEnvelope;
    try {
      event = parseEvent(raw);
    } catch (err) {
      log.warn({ err, seq, runId: run.id }, "unreadable agent telemetry not counted in the SUT thresholds");
      return;
    }
    const s = state();
    const selector = s?.target?.sut?.labels;
    if (event.type !== "agent.telemetry" || event.tenantId !== run.tenantId || !selector || !s?.startedAt) return;
    if (!labelsInclude(event.data.labels, selector)) return;
    const span = { startedAt: Date.parse(s.startedAt), finishedAt: s.loadEnded ? Date.parse(s.loadEnded.finishedAt) : null };
    const second = runSecondOf(span, Date.parse(event.data.at));
    if (second !== null) sink.addSut(event.aggregate.id, second, flattenTelemetry(event.data));
  };
  const live = nc.subscribe(filter, { callback: (err, m) => (err ? undefined : take(safeJson(m.string()))) });
  void replayStream(nc, ns.streams.agent, filter, (m) => take(safeJson(m.string()), m.seq)).catch((err: unknown) =>
    log.warn({ err, runId: run.id }, "could not read the SUT's telemetry so far: its thresholds count from now"),
  );
  return { close: () => live.unsubscribe() };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
