// The ingest benchmark's two systems under test, each reporting every committed position as
// it happens: the real read side (Projections.start, in this process), and for contrast a naive
// consumer that does one drizzle insert per event.
import { CURRENT_SCHEMA_VERSION, type EventEnvelope, eventExamples, newId, parseEvent, sleep } from "@loadline/core";
import { JetStreamEventStore, type Namespace, type NatsConnection, subjects } from "@loadline/nats";
import { metricWindows, openDatabase, Projections } from "@loadline/projections";
import { AckPolicy, type ConsumerMessages, DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { pino } from "pino";

/** What is measured: it reports each committed position, and stops. */
export type UnderTest = { stop(): Promise<void> };
export type OnCommit = (position: number, atMs: number) => void;

/** The read side as the service runs it, plus the run's row (created through the events projection) so last_metrics is written too. */
export async function startProjection(
  nc: NatsConnection,
  ns: Namespace,
  url: string,
  tenantId: string,
  runId: string,
  onCommit: OnCommit,
): Promise<UnderTest> {
  const logger = pino({ name: "bench-ingest", level: process.env.LOG_LEVEL ?? "warn" }, pino.destination(2));
  const projections = await Projections.start({ nc, ns, database: { url }, log: logger });
  let watching = true;
  let watch: Promise<void> = Promise.resolve();
  try {
    const event = (type: "run.created" | "run.started", data: unknown) =>
      ({
        id: newId(),
        type,
        schemaVersion: CURRENT_SCHEMA_VERSION,
        tenantId,
        aggregate: { type: "run", id: runId },
        time: new Date().toISOString(),
        actor: "bench",
        causationId: null,
        correlationId: runId,
        data,
      }) as EventEnvelope;
    const { seq } = await new JetStreamEventStore(nc, ns).append(
      tenantId,
      { type: "run", id: runId },
      [
        event("run.created", { ...eventExamples["run.created"], targetUsers: 50_000 }),
        event("run.started", { startedAt: new Date().toISOString() }),
      ],
      { expectedSeq: 0 },
    );
    if (!(await projections.projectors.events.waitFor(seq, 15_000))) throw new Error("the events projection did not write the run's row");
    // Each advance of the metrics projector's committed position, stamped as it happens.
    const metrics = projections.projectors.metrics;
    watch = (async () => {
      while (watching) {
        const t0 = Date.now();
        if (await metrics.waitFor(metrics.position + 1, 250)) onCommit(metrics.position, Date.now());
        else if (Date.now() - t0 < 5) await sleep(20); // stopped: do not spin
      }
    })();
  } catch (err) {
    await projections.stop();
    throw err;
  }
  return {
    async stop() {
      watching = false;
      await projections.stop();
      await watch;
    },
  };
}

/** The contrast: a durable pull consumer that decodes each event and awaits one drizzle insert for it, then acks. */
export async function startNaive(
  nc: NatsConnection,
  ns: Namespace,
  url: string,
  onCommit: OnCommit,
  log: (m: string) => void,
): Promise<UnderTest> {
  const database = await openDatabase({ url, poolSize: 2 });
  const { db } = database;
  let messages: ConsumerMessages | undefined;
  try {
    const jsm = await jetstreamManager(nc);
    const durable = "bench_naive";
    await jsm.consumers.add(ns.streams.metrics, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: subjects.allMetrics(ns),
    });
    messages = await (await jetstream(nc).consumers.get(ns.streams.metrics, durable)).consume({ max_messages: 500 });
  } catch (err) {
    await database.close();
    throw err;
  }
  const msgs = messages;
  let position = 0;
  let errors = 0;
  const loop = (async () => {
    for await (const m of msgs) {
      if (m.seq > position) {
        try {
          const e = parseEvent(m.json());
          if (e.type === "metrics.window") {
            const w = e.data;
            await db.insert(metricWindows).values({
              tenantId: e.tenantId,
              runId: w.runId,
              workerId: w.workerId,
              second: w.second,
              activeUsers: w.activeUsers,
              requests: w.requests,
              iterations: w.iterations ?? 0,
              droppedIterations: w.droppedIterations ?? 0,
              checksPassed: w.checksPassed ?? 0,
              checksFailed: w.checksFailed ?? 0,
            });
          }
        } catch (err) {
          if (errors++ === 0) log(`insert failed (counted, passed): ${(err as Error).message}`);
        }
        position = m.seq;
        onCommit(position, Date.now());
      }
      m.ack();
    }
  })();
  return {
    async stop() {
      msgs.stop();
      await loop.catch(() => undefined);
      await database.close();
      if (errors > 0) log(`${errors} inserts failed`);
    },
  };
}
