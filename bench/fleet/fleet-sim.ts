// The fleet section's stand-ins: the target, which notes when each run's requests arrive, and the
// simulated workers, which speak the orchestrator's protocol.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { type CommandEnvelope, createCommand, type EventEnvelope, parseEvent, type WorkerRegistration } from "@loadline/core";
import { CommandBus, type NatsConnection, type namespace, openWorkerBucket, subjects } from "@loadline/nats";
import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { REQUEST_EVERY_MS, type RunTimes } from "./fleet-data.ts";

/** The target: it notes when each run's first and last requests arrive (/r/<runId>). */
export async function startTarget(times: Map<string, RunTimes>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const now = performance.now();
    const runId = req.url?.split("/")[2] ?? "";
    const t = times.get(runId);
    if (t) {
      t.firstRequestAt ??= now;
      t.lastArrivalAt = now;
    }
    res.end("ok");
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** The simulated fleet: heartbeats, ready reports, and a request loop per assignment. */
export class SimFleet {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly loops = new Map<string, NodeJS.Timeout>();
  private stopFollowing: (() => Promise<void>) | undefined;
  private readonly bus: CommandBus;
  private readonly mine: Set<string>;

  constructor(
    private readonly nc: NatsConnection,
    private readonly ns: ReturnType<typeof namespace>,
    private readonly ids: string[],
    private readonly targetUrl: string,
    private readonly times: Map<string, RunTimes>,
  ) {
    this.bus = new CommandBus(nc, ns);
    this.mine = new Set(ids);
  }

  async start(): Promise<void> {
    const kv = await openWorkerBucket(this.nc, this.ns);
    const startedAt = new Date().toISOString();
    const registration = (workerId: string): WorkerRegistration => ({
      workerId,
      version: "sim",
      capacity: { threads: 1, maxVUs: 100, maxArrivalRate: 1000 },
      labels: { pool: "sim" },
      startedAt,
      heartbeatAt: new Date().toISOString(),
      status: "active",
      assignments: [],
    });
    await Promise.all(this.ids.map((id) => kv.put(id, JSON.stringify(registration(id)))));
    // Each worker beats once a second, spread over the second as real ones are.
    this.ids.forEach((id, i) => {
      const first = setTimeout(
        () => {
          const beat = () => {
            const body = JSON.stringify(registration(id));
            this.nc.publish(subjects.heartbeat(this.ns, id), body);
            void kv.put(id, body).catch(() => undefined);
          };
          beat();
          this.timers.push(setInterval(beat, 1000));
        },
        (1000 * i) / this.ids.length,
      );
      this.timers.push(first);
    });
    await this.follow();
  }

  /** One ordered consumer of every run event, from now, dispatched to the simulated workers. */
  private async follow(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    const info = await jsm.streams.info(this.ns.streams.events);
    const consumer = await jetstream(this.nc).consumers.get(this.ns.streams.events, {
      filter_subjects: subjects.eventsOfType(this.ns, "run"),
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: info.state.last_seq + 1,
    });
    const messages = await consumer.consume({ max_messages: 1000 });
    // As a real worker does, each acts on the orchestrator's core-NATS echo of a start or stop at once, and on the stream's copy if
    // the echo was lost: whichever comes first counts.
    const echoes = this.nc.subscribe(subjects.allRunControl(this.ns), { callback: (_, m) => this.onEvent(parseEvent(m.json())) });
    const done = (async () => {
      for await (const m of messages) this.onEvent(parseEvent(m.json()));
    })();
    this.stopFollowing = async () => {
      echoes.unsubscribe();
      await messages.close();
      await done;
    };
  }

  private onEvent(e: EventEnvelope): void {
    const runId = e.aggregate.id;
    const t = this.times.get(runId);
    if (e.type === "run.worker-assigned" && this.mine.has(e.data.workerId)) {
      if (t) t.assignedAt ??= performance.now();
      t?.workers.add(e.data.workerId);
      const ready = createCommand({
        type: "run.report-worker-ready",
        tenantId: e.tenantId,
        aggregate: e.aggregate,
        data: { workerId: e.data.workerId },
      }) as CommandEnvelope;
      void this.bus.dispatch(ready);
    } else if (e.type === "run.started" && t && t.startedSeenAt === undefined) {
      t.startedSeenAt = performance.now();
      const at = Date.parse(e.data.startedAt);
      for (const w of t.workers) this.begin(runId, w, at);
    } else if ((e.type === "run.stopping" || e.type === "run.failed" || e.type === "run.cancelled") && t) {
      for (const w of t.workers) {
        if (t.silentAt.has(w)) continue;
        clearTimeout(this.loops.get(`${runId}/${w}`));
        this.loops.delete(`${runId}/${w}`);
        t.silentAt.set(w, performance.now());
      }
    }
  }

  /** From the agreed instant on, a request every REQUEST_EVERY_MS until the run stops. */
  private begin(runId: string, workerId: string, atEpochMs: number): void {
    const key = `${runId}/${workerId}`;
    const send = () => {
      const t = this.times.get(runId);
      if (t) t.firstSentAt ??= performance.now();
      void fetch(`${this.targetUrl}/r/${runId}/${workerId}`).then(
        (r) => r.arrayBuffer(),
        () => undefined,
      );
      this.loops.set(key, setTimeout(send, REQUEST_EVERY_MS));
    };
    this.loops.set(key, setTimeout(send, Math.max(0, atEpochMs - Date.now())));
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const t of this.loops.values()) clearTimeout(t);
    await this.stopFollowing?.();
  }
}
