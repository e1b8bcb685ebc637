/** Test-only: the orchestrator's side of a worker's conversation, over real NATS, in a namespace of its own. */
import {
  type CommandEnvelope,
  type CommandOf,
  type EventEnvelope,
  type EventStore,
  eventsFromCommand,
  loadAggregate,
  type MetricWindow,
  parseCommand,
  parseEvent,
  runDecider,
} from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { JetStreamEventStore, subjects } from "@loadline/nats";
import { type TestNats, testNats } from "@loadline/nats/testing";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { readStream } from "./test-support.ts";

export type RunCommandIn =
  | CommandOf<"run.create">
  | CommandOf<"run.assign">
  | CommandOf<"run.stop">
  | CommandOf<"run.report-worker-ready">
  | CommandOf<"run.reassign">
  | CommandOf<"run.reassign-unheld">
  | CommandOf<"run.pause">
  | CommandOf<"run.resume">
  | CommandOf<"run.scale">;

export type TestOrchestrator = {
  env: TestNats;
  store: EventStore;
  /** Commands taken off the COMMANDS work queue, as the orchestrator would take them. */
  commands: CommandEnvelope[];
  /** Waits for a command of `type` about `runId` to arrive on the COMMANDS stream. */
  commandOf<T extends "run.report-worker-ready" | "run.report-worker-stopped">(
    type: T,
    runId: string,
    timeoutMs?: number,
  ): Promise<CommandOf<T>>;
  /**
   * What the orchestrator does: decide the command on the run's events, append what it decided
   * (answered), and with `echo`, echo them on core NATS as it does those that stop or control work.
   */
  decide(command: RunCommandIn, opts?: { echo?: boolean }): Promise<EventEnvelope[]>;
  /** The metric windows of a run published so far. */
  windowsOf(runId: string): Promise<MetricWindow[]>;
  close(): Promise<void>;
};

export const onRun = (tenantId: string, runId: string) => ({ tenantId, aggregate: { type: "run" as const, id: runId } });

export const countOf = (windows: MetricWindow[]): number => windows.reduce((n, w) => n + w.requests.reduce((m, r) => m + r.count, 0), 0);
/** Requests the stop interrupted in flight: in no `count`. */
export const interruptedOf = (windows: MetricWindow[]): number =>
  windows.reduce((n, w) => n + w.requests.reduce((m, r) => m + (r.interrupted ?? 0), 0), 0);

export async function testOrchestrator(): Promise<TestOrchestrator> {
  const env = await testNats();
  const store = new JetStreamEventStore(env.nc, env.ns);
  const jsm = await jetstreamManager(env.nc);
  await jsm.consumers.add(env.ns.streams.commands, {
    durable_name: "test",
    ack_policy: AckPolicy.Explicit,
    filter_subject: subjects.allCommands(env.ns),
  });
  const commands: CommandEnvelope[] = [];
  // Take commands off the queue as they come, as the orchestrator would.
  const queue = await (await jetstream(env.nc).consumers.get(env.ns.streams.commands, "test")).consume();
  void (async () => {
    for await (const m of queue) {
      commands.push(parseCommand(m.json()));
      m.ack();
    }
  })();
  return {
    env,
    store,
    commands,
    commandOf: (type, runId, timeoutMs = 10_000) =>
      eventually(() => {
        const found = commands.find((c) => c.type === type && c.aggregate.id === runId);
        return found ? (found as CommandOf<typeof type>) : undefined;
      }, timeoutMs),
    async decide(command, opts = {}) {
      const run = await loadAggregate(store, runDecider, command.tenantId, command.aggregate);
      const events = eventsFromCommand(command, runDecider.decide(run.state, command));
      await store.append(command.tenantId, command.aggregate, events, { expectedSeq: run.seq });
      if (opts.echo) for (const e of events) env.nc.publish(subjects.runControl(env.ns, e.tenantId, e.aggregate.id), JSON.stringify(e));
      return events;
    },
    async windowsOf(runId) {
      const stored = await readStream(env.nc, env.ns.streams.metrics, subjects.allMetrics(env.ns));
      return stored.map((m) => parseEvent(m.data)).flatMap((e) => (e.type === "metrics.window" && e.data.runId === runId ? [e.data] : []));
    },
    async close() {
      await queue.close();
      await env.cleanup();
    },
  };
}
