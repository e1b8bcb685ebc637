// Section "fleet": one orchestrator, 500 simulated workers, 200 concurrent runs. Prints the time
// from a run's command to its first request at the target, and from its stop command to silence
// (every worker of the run has stopped sending), at p50 and p99.
//
// The orchestrator is the real one (a process of its own); the workers are simulations that speak its
// protocol: each heartbeats (core NATS and the workers bucket, as LoadWorker does), reports ready
// when assigned, starts sending one request every REQUEST_EVERY_MS to the target at the run's
// agreed start, and stops when it hears run.stopping. They share one NATS connection and one
// ordered consumer of the run events (a real worker has its own): what is measured is the
// control plane, not 500 processes' worth of HTTP.
// Usage: node --import tsx bench/fleet/fleet.ts [--workers N] [--runs N] [--workers-per-run N]
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { type CommandEnvelope, createCommand, newId, parseEvent, sleep, type WorkerRegistration } from "@loadline/core";
import { CommandBus, connectNats, ensureStreams, type NatsConnection, namespace, openWorkerBucket, subjects } from "@loadline/nats";
import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { startService, stopService, waitReady } from "loadline/testing";
import { fmt, markdownTable } from "../lib/table.ts";
import {
  Cleanups,
  loadAverage,
  machineLine,
  parseFlags,
  percentile,
  runStandalone,
  section,
  log as stderrLog,
  withTimeout,
} from "../read-side/bench-util.ts";

export const FLEET_DEFAULTS = { workers: 500, runs: 200, workersPerRun: 5, vusPerRun: 50, holdMs: 5_000 };
const REQUEST_EVERY_MS = 1000;

export type FleetOptions = Partial<typeof FLEET_DEFAULTS> & { natsUrl?: string; log?: (m: string) => void; cleanups?: Cleanups };

export type FleetData = {
  workers: number;
  runs: number;
  workersPerRun: number;
  machine: string;
  loadAverageBefore: string;
  loadAverageAfter: string;
  failure?: string;
  /** ms from the run.create command to the run's first request sent (a worker starts its load). */
  toFirstRequest: number[];
  /** The same, to its arrival at the target. */
  toFirstArrival: number[];
  /** Its parts: command → first assignment event; assignment → run.started (every worker ready). */
  toAssigned: number[];
  assignedToStarted: number[];
  /** ms from the run.stop command to the moment the run's last worker stopped sending. */
  toSilence: number[];
  /** ms from the run.stop command to the last request the target received for it. */
  toLastArrival: number[];
  runsFailed: number;
};

type RunTimes = {
  commandAt: number;
  assignedAt?: number;
  startedSeenAt?: number;
  firstSentAt?: number;
  firstRequestAt?: number;
  stopAt?: number;
  lastArrivalAt?: number;
  workers: Set<string>;
  silentAt: Map<string, number>;
};

/** The target: it notes when each run's first and last requests arrive (/r/<runId>). */
async function startTarget(times: Map<string, RunTimes>): Promise<{ server: Server; url: string }> {
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
class SimFleet {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly loops = new Map<string, NodeJS.Timeout>();
  private stopFollowing: (() => Promise<void>) | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly ns: ReturnType<typeof namespace>,
    private readonly ids: string[],
    private readonly targetUrl: string,
    private readonly times: Map<string, RunTimes>,
  ) {}

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
    const bus = new CommandBus(this.nc, this.ns);
    const mine = new Set(this.ids);
    const done = (async () => {
      for await (const m of messages) {
        const e = parseEvent(m.json());
        const runId = e.aggregate.id;
        if (e.type === "run.worker-assigned" && mine.has(e.data.workerId)) {
          const t = this.times.get(runId);
          if (t) t.assignedAt ??= performance.now();
          t?.workers.add(e.data.workerId);
          const ready = createCommand({
            type: "run.report-worker-ready",
            tenantId: e.tenantId,
            aggregate: e.aggregate,
            data: { workerId: e.data.workerId },
          }) as CommandEnvelope;
          void bus.dispatch(ready);
        } else if (e.type === "run.started") {
          const t = this.times.get(runId);
          if (t) t.startedSeenAt = performance.now();
          const at = Date.parse(e.data.startedAt);
          for (const w of this.times.get(runId)?.workers ?? []) this.begin(runId, w, at);
        } else if (e.type === "run.stopping" || e.type === "run.failed" || e.type === "run.cancelled") {
          const t = this.times.get(runId);
          for (const w of t?.workers ?? []) {
            clearTimeout(this.loops.get(`${runId}/${w}`));
            this.loops.delete(`${runId}/${w}`);
            t?.silentAt.set(w, performance.now());
          }
        }
      }
    })();
    this.stopFollowing = async () => {
      await messages.close();
      await done;
    };
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

export async function runFleetBench(o: FleetOptions = {}): Promise<FleetData> {
  const log = o.log ?? stderrLog;
  const say = (m: string) => log(`fleet: ${m}`);
  const cfg = { ...FLEET_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as typeof FLEET_DEFAULTS;
  const data: FleetData = {
    workers: cfg.workers,
    runs: cfg.runs,
    workersPerRun: cfg.workersPerRun,
    machine: machineLine(),
    loadAverageBefore: loadAverage(),
    loadAverageAfter: "",
    toFirstRequest: [],
    toFirstArrival: [],
    toAssigned: [],
    assignedToStarted: [],
    toSilence: [],
    toLastArrival: [],
    runsFailed: 0,
  };
  const cleanups = new Cleanups();
  o.cleanups?.add("fleet section", () => cleanups.runAll(say));
  const natsUrl = o.natsUrl ?? process.env.NATS_URL ?? "nats://127.0.0.1:4222";
  return section(data, say, cleanups, async () => {
    const ns = namespace(`bench${randomBytes(5).toString("hex")}`);
    const nc = await withTimeout(connectNats(natsUrl, "bench-fleet"), 10_000, `no NATS at ${natsUrl}`);
    cleanups.add("NATS connection", () => nc.drain());
    const jsm = await jetstreamManager(nc);
    cleanups.add(`streams of ${ns.prefix}`, () =>
      Promise.all(
        [...Object.values(ns.streams), ...Object.values(ns.buckets).map((b) => `KV_${b}`)].map((s) =>
          jsm.streams.delete(s).catch(() => false),
        ),
      ),
    );
    const times = new Map<string, RunTimes>();
    const target = await startTarget(times);
    cleanups.add("target", () => new Promise((r) => target.server.close(() => r(undefined))));

    // The orchestrator as it is deployed: a process of its own (the simulated fleet's work here must not slow it).
    const orchestrator = await startService("orchestrator", { NATS_URL: natsUrl, LL_NAMESPACE: ns.prefix, LOG_LEVEL: "warn" });
    cleanups.add("orchestrator", async () => {
      await stopService(orchestrator);
      if (process.env.FLEET_LOG) process.stderr.write(orchestrator.output());
    });
    await waitReady(orchestrator);
    await ensureStreams(jsm, ns, { metricsMaxAgeMs: 3600_000, replicas: 1 }); // made by the orchestrator already: here only to wait for them

    const sims = new SimFleet(
      nc,
      ns,
      Array.from({ length: cfg.workers }, (_, i) => `sim-${String(i).padStart(3, "0")}`),
      target.url,
      times,
    );
    await sims.start();
    cleanups.add("simulated workers", () => sims.stop());
    say(`${cfg.workers} simulated workers heartbeating; waiting for the orchestrator to hear them all`);
    await sleep(2_000);

    const bus = new CommandBus(nc, ns);
    const target0 = { targetUrl: target.url, requests: [{ method: "GET" as const, path: "/" }] };
    const runIds = Array.from({ length: cfg.runs }, () => newId());
    say(`${cfg.runs} runs of ${cfg.vusPerRun} VUs on ${cfg.workersPerRun} workers each, created together`);
    await Promise.all(
      runIds.map((id) => {
        times.set(id, { commandAt: performance.now(), workers: new Set(), silentAt: new Map() });
        const data0 = {
          loadTestId: "bench",
          targetUsers: cfg.vusPerRun,
          spawnRate: 1000,
          durationSec: 600,
          target: target0,
          placement: { workers: cfg.workersPerRun },
        };
        return bus.dispatch(
          createCommand({ type: "run.create", tenantId: "default", aggregate: { type: "run", id }, data: data0 }) as CommandEnvelope,
        );
      }),
    );
    const deadline = Date.now() + 60_000;
    while ([...times.values()].some((t) => t.firstRequestAt === undefined) && Date.now() < deadline) await sleep(100);
    const running = runIds.filter((id) => times.get(id)!.firstRequestAt !== undefined);
    data.runsFailed = cfg.runs - running.length;
    say(`${running.length} of ${cfg.runs} runs sending; holding ${cfg.holdMs / 1000} s, then stopping each`);
    await sleep(cfg.holdMs);
    await Promise.all(
      running.map((id) => {
        times.get(id)!.stopAt = performance.now();
        return bus.dispatch(
          createCommand({
            type: "run.stop",
            tenantId: "default",
            aggregate: { type: "run", id },
            data: { reason: "requested" },
          }) as CommandEnvelope,
        );
      }),
    );
    const stopDeadline = Date.now() + 30_000;
    while (running.some((id) => times.get(id)!.silentAt.size < times.get(id)!.workers.size) && Date.now() < stopDeadline) await sleep(100);
    await sleep(REQUEST_EVERY_MS * 2); // requests already on their way still land
    for (const id of running) {
      const t = times.get(id)!;
      data.toFirstRequest.push(t.firstSentAt! - t.commandAt);
      data.toFirstArrival.push(t.firstRequestAt! - t.commandAt);
      if (t.assignedAt !== undefined) data.toAssigned.push(t.assignedAt - t.commandAt);
      if (t.assignedAt !== undefined && t.startedSeenAt !== undefined) data.assignedToStarted.push(t.startedSeenAt - t.assignedAt);
      if (t.silentAt.size === t.workers.size) data.toSilence.push(Math.max(...t.silentAt.values()) - t.stopAt!);
      data.toLastArrival.push(Math.max(0, t.lastArrivalAt! - t.stopAt!));
    }
  });
}

export function fleetTable(d: FleetData): string {
  const row = (what: string, xs: number[], goal: string) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length === 0
      ? [what, "—", "—", "—", "0", goal]
      : [what, fmt(percentile(s, 50), 0), fmt(percentile(s, 99), 0), fmt(s.at(-1)!, 0), fmt(s.length, 0), goal];
  };
  return [
    `### Fleet — one orchestrator, ${fmt(d.workers, 0)} simulated workers, ${fmt(d.runs, 0)} concurrent runs (${d.workersPerRun} workers each)`,
    "",
    `${d.machine}. Load average before ${d.loadAverageBefore}, after ${d.loadAverageAfter}.${d.runsFailed > 0 ? ` ${d.runsFailed} runs never sent a request.` : ""}`,
    "",
    d.failure
      ? `Not available: ${d.failure}`
      : markdownTable(
          ["from → to", "p50 ms", "p99 ms", "max ms", "runs", "goal"],
          [
            row("run.create command → first request sent", d.toFirstRequest, "(informative)"),
            row("↳ command → planned (first run.worker-assigned)", d.toAssigned, ""),
            row("↳ planned → run.started (every worker ready)", d.assignedToStarted, ""),
            row("run.create command → first request at the target", d.toFirstArrival, "(informative: the simulation's own HTTP client)"),
            row("run.stop command → every worker of the run silent", d.toSilence, "< 1000 ms (a stop reaches every worker within 1 s)"),
            row("run.stop command → last request received", d.toLastArrival, "(informative: requests already sent still land)"),
          ],
          [false, true, true, true, true, false],
        ),
    "",
    "Planning, the ready barrier (every worker of a run starts at one instant, 250 ms after the last is ready) and the stop are the real",
    "orchestrator's (a process of its own); the workers are simulations in the harness's process (one NATS connection, one event",
    `consumer) sending a request every ${REQUEST_EVERY_MS} ms per assignment: 1,000 assignments open their connections at about the same`,
    "instant, so a request's arrival says more about the simulation than about the orchestrator. The runs are created together, in one burst.",
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runStandalone(async (cleanups) => {
    const f = parseFlags(process.argv.slice(2), { workers: "number", runs: "number", "workers-per-run": "number" });
    const data = await runFleetBench({
      workers: f.workers as number | undefined,
      runs: f.runs as number | undefined,
      workersPerRun: f["workers-per-run"] as number | undefined,
      cleanups,
    });
    return fleetTable(data);
  });
}
