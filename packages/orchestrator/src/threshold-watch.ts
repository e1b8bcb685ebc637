import {
  type CommandInit,
  type CommandType,
  createCommand,
  type EventEnvelope,
  isTerminal,
  type MetricWindow,
  type ParsedThreshold,
  parseEvent,
  parseThresholds,
  type RunState,
  rowLabels,
  type ThresholdBaseline,
  ThresholdTracker,
  type ThresholdTrackerOptions,
  thresholdKey,
} from "@loadline/core";
import { type Namespace, type NatsConnection, PULL_EXPIRES_MS, replayStream, subjects } from "@loadline/nats";
import type { Logger } from "@loadline/service";
import { type ConsumerMessages, DeliverPolicy, type JsMsg, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { CommandHandler } from "./command-handler.ts";
import { followSut, type SutFollower } from "./sut-follower.ts";

type RunRef = { tenantId: string; id: string };

/** How often crossings and aborts are looked for: a crossing stops its run within this plus a stop's own latency. */
const TICK_MS = 500;
/** How long a finished run's last windows are waited for before its verdict is judged on what arrived. */
const CATCH_UP_MS = 10_000;

type Watched = {
  run: RunRef;
  tracker: ThresholdTracker;
  messages: ConsumerMessages;
  loop: Promise<void>;
  /** The stream sequence of the last window counted, per worker subject. */
  counted: Map<string, number>;
  stopSent: boolean;
  finishing: boolean;
  /** The SUT's telemetry, for `sut{series:...}` rules. */
  sut?: SutFollower;
};

/**
 * Judges runs by their thresholds, centrally, on the exact merged windows as they arrive: an
 * ordered consumer per watched run on its metric subjects feeds a ThresholdTracker; a threshold
 * that fails is recorded (`run.threshold-crossed`), one with abortOnFail stops the run, and once
 * the run has ended and every window its workers published was counted, the verdict is recorded.
 * A new active orchestrator replays each live run's windows from the start: the same windows give
 * the same verdict.
 */
export class ThresholdWatch {
  private readonly watched = new Map<string, Watched>();
  private readonly timer: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly ns: Namespace,
    private readonly handler: CommandHandler,
    private readonly log: Logger,
  ) {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  onEvents(events: readonly EventEnvelope[]): void {
    const runs = new Map<string, RunRef>();
    for (const e of events) if (e.aggregate.type === "run") runs.set(e.aggregate.id, { tenantId: e.tenantId, id: e.aggregate.id });
    for (const run of runs.values()) void this.refresh(run);
  }

  recover(runs: Iterable<RunRef>): void {
    for (const run of runs) void this.refresh(run);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all([...this.watched.values()].map((w) => this.close(w)));
  }

  private async refresh(run: RunRef): Promise<void> {
    const state = this.handler.peekRun(run.tenantId, run.id);
    if (this.stopped || !state?.target?.thresholds || state.verdict !== undefined) return;
    const w = this.watched.get(run.id) ?? (await this.watch(run, state));
    // Judged once the load is over (Analyzing), or late, on a run that ended without its verdict.
    if (w && (state.status === "Analyzing" || isTerminal(state.status))) await this.finish(w, state);
  }

  private async watch(run: RunRef, state: RunState): Promise<Watched | undefined> {
    if (this.watched.has(run.id)) return this.watched.get(run.id);
    const thresholds = state.target?.thresholds;
    if (!thresholds) return undefined;
    const labels = rowLabelsOf(state);
    const parsed = parseThresholds(thresholds);
    const baseline = await this.baselineOf(run.tenantId, state.baselineRunId, parsed, labels);
    const tracker = new ThresholdTracker(parsed, { ...labels, ...(baseline ? { baseline } : {}) });
    const consumer = await jetstream(this.nc).consumers.get(this.ns.streams.metrics, {
      filter_subjects: `${this.ns.prefix}.met.${run.tenantId}.${run.id}.*`,
      deliver_policy: DeliverPolicy.All,
    });
    const messages = await consumer.consume({ max_messages: 256, expires: PULL_EXPIRES_MS });
    const w: Watched = { run, tracker, messages, loop: Promise.resolve(), counted: new Map(), stopSent: false, finishing: false };
    w.loop = (async () => {
      for await (const m of messages) {
        const window = this.windowOf(m, run.id);
        if (window) tracker.add(window);
        w.counted.set(m.subject, m.seq);
      }
    })();
    if (this.watched.has(run.id)) {
      await messages.close(); // another refresh got there first
      return this.watched.get(run.id);
    }
    if (tracker.judgesSut) {
      const state = () => this.handler.peekRun(run.tenantId, run.id);
      w.sut = followSut({ nc: this.nc, ns: this.ns, run, state, sink: tracker, log: this.log });
    }
    this.watched.set(run.id, w);
    return w;
  }

  /**
   * The figures baseline-relative rules (`p(95) < baseline * 1.1`) compare with: the baseline run's
   * windows (the one its test had when it started), replayed through the same thresholds. None
   * when no rule is relative or the run has no baseline (its relative rules then cannot fail).
   */
  private async baselineOf(
    tenantId: string,
    baselineRunId: string | undefined,
    parsed: ParsedThreshold[],
    labels: RowLabels,
  ): Promise<ThresholdBaseline | undefined> {
    if (!baselineRunId || !parsed.some((p) => "baseline" in p.limit)) return undefined;
    const windows: MetricWindow[] = [];
    await replayStream(this.nc, this.ns.streams.metrics, `${this.ns.prefix}.met.${tenantId}.${baselineRunId}.*`, (m) => {
      const window = this.windowOf(m, baselineRunId);
      if (window) windows.push(window);
    });
    return ThresholdTracker.baselineOf(parsed, windows, labels);
  }

  /** The metric window a message holds; an unreadable one is said and not counted, live or in a baseline alike. */
  private windowOf(m: JsMsg, runId: string): MetricWindow | null {
    try {
      const event = parseEvent(m.json());
      return event.type === "metrics.window" ? (event.data as MetricWindow) : null;
    } catch (err) {
      this.log.warn({ err, seq: m.seq, runId }, "unreadable metric window not counted in the thresholds");
      return null;
    }
  }

  /** Records new crossings, and stops a run whose abortOnFail threshold failed past its delay. */
  private tick(): void {
    for (const w of this.watched.values()) {
      if (w.finishing) continue;
      const state = this.handler.peekRun(w.run.tenantId, w.run.id);
      if (!state || state.verdict !== undefined) continue;
      for (const crossed of w.tracker.crossed()) {
        if (state.crossed.includes(thresholdKey(crossed))) continue;
        void this.send(w.run, { type: "run.record-threshold-crossed", data: { ...crossed, second: Math.floor(Date.now() / 1000) } });
      }
      if (w.stopSent || !state.startedAt || (state.status !== "Running" && state.status !== "Starting")) continue;
      const elapsedSec = (Date.now() - Date.parse(state.startedAt)) / 1000;
      const abort = w.tracker.abortDue(elapsedSec);
      if (abort) {
        w.stopSent = true;
        this.log.info(
          { runId: w.run.id, metric: abort.metric, expression: abort.expression, observed: abort.observed },
          "threshold failed: stopping the run",
        );
        void this.send(w.run, { type: "run.stop", data: { reason: "threshold" } });
      }
    }
  }

  /** Once every window the run's workers published is counted (or CATCH_UP_MS passed), records the verdict. */
  private async finish(w: Watched, state: RunState): Promise<void> {
    if (w.finishing) return;
    w.finishing = true;
    const last = await this.lastWindows(w.run, state);
    const deadline = Date.now() + CATCH_UP_MS;
    while (!this.stopped && Date.now() < deadline && [...last].some(([subject, seq]) => (w.counted.get(subject) ?? 0) < seq)) {
      await new Promise((r) => setTimeout(r, 50));
    }
    if (this.stopped) return;
    w.tracker.finish(); // every window is in: the last seconds are judged too
    const results = w.tracker.results();
    const verdict = results.every((r) => r.passed) ? "passed" : "failed";
    await this.send(w.run, { type: "run.record-verdict", data: { verdict, results } });
    await this.close(w);
  }

  /** The stream sequence of the last window of each worker that ever held a lane of the run. */
  private async lastWindows(run: RunRef, state: RunState): Promise<Map<string, number>> {
    const jsm = await jetstreamManager(this.nc);
    const last = new Map<string, number>();
    for (const workerId of new Set(state.holds.map((h) => h.workerId))) {
      const subject = subjects.metrics(this.ns, run.tenantId, run.id, workerId);
      const m = await jsm.streams.getMessage(this.ns.streams.metrics, { last_by_subj: subject }).catch(() => null);
      if (m) last.set(subject, m.seq);
    }
    return last;
  }

  private async close(w: Watched): Promise<void> {
    this.watched.delete(w.run.id);
    w.sut?.close();
    await w.messages.close().catch(() => undefined);
    await w.loop.catch(() => undefined);
  }

  private async send<T extends CommandType>(run: RunRef, command: { type: T; data: CommandInit<T>["data"] }): Promise<void> {
    const envelope = createCommand({
      tenantId: run.tenantId,
      aggregate: { type: "run", id: run.id },
      ...command,
      actor: "orchestrator",
    } as CommandInit<CommandType>);
    try {
      const outcome = await this.handler.handle(envelope);
      if (!outcome.ok && outcome.error.code !== "conflict")
        this.log.warn({ runId: run.id, command: command.type, error: outcome.error }, "threshold command refused");
    } catch (err) {
      this.log.error({ err, runId: run.id, command: command.type }, "threshold command failed");
    }
  }
}

/** Which scenario each request name belongs to and its tags, for `{scenario:...}` and `{tag:...}` scopes. */
type RowLabels = Required<Pick<ThresholdTrackerOptions, "scenarioOf" | "tagsOf">>;
function rowLabelsOf(state: RunState): RowLabels {
  const { scenarioOf, tagsOf } = rowLabels(state.target?.scenarios);
  return { scenarioOf: (name) => scenarioOf.get(name), tagsOf: (name) => tagsOf.get(name) };
}
