// The chaos suite's stage: real processes on 127.0.0.1 (NATS servers of its own, Postgres,
// the API, the orchestrator and a standby, three workers, the projections), a target that
// counts what each worker sent it, and what the streams and the API say of a run.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type EventEnvelope, type EventOf, fold, parseEvent, type RunState, type RunView, runDecider, sleep } from "@loadline/core";
import { connectNats, type NatsConnection, namespace, replayStream, subjects } from "@loadline/nats";
import { type TestDatabase, testDatabase } from "@loadline/projections/testing";
import { type JsMsg, jetstreamManager } from "@nats-io/jetstream";
import { LoadlineClient } from "loadline";
import {
  type DeploymentKeys,
  deploymentEnv,
  makeDeploymentKeys,
  type NatsServers,
  natsServers,
  type OwnPostgres,
  ownPostgres,
  type Service,
  type ServiceName,
  startService,
  stopService,
  waitReady,
} from "loadline/testing";
import { type CountingTarget, countingTarget } from "./target.ts";

export type StageOptions = {
  /** 1: a single nats-server; 3: a cluster (streams get 3 replicas). */
  natsServers: 1 | 3;
  /** A Postgres of the scenario's own, which it may stop; else a database on the machine's Postgres. */
  ownPostgres?: boolean;
  /** A second orchestrator, standing by. */
  standby?: boolean;
};

export const WORKERS = ["w1", "w2", "w3"] as const;
/** Every VU sends a request that takes this long, then the next. */
export const TARGET_MS = 20;
/** VUs started per second: every VU at once. */
export const SPAWN_RATE = 1000;
/** How long a read of a stream is retried: past a broker's loss and its elections. */
const READ_RETRY_MS = 30_000;

export type Window = { msgID: string; workerId: string; second: number; requests: number };

export class Stage {
  readonly services = new Map<string, Service>();
  private constructor(
    readonly nats: NatsServers,
    readonly dir: string,
    readonly databaseUrl: string,
    readonly target: CountingTarget,
    readonly nc: NatsConnection,
    readonly ns: ReturnType<typeof namespace>,
    private readonly pg: { own: OwnPostgres | null; shared: TestDatabase | null },
    /** The API's bootstrap key (the platform admin's) and the secrets keyring, in files in `dir`. */
    private readonly keys: DeploymentKeys,
  ) {}

  static async start(o: StageOptions): Promise<Stage> {
    const dir = mkdtempSync(join(tmpdir(), "loadline-chaos-"));
    chmodSync(dir, 0o755); // an own Postgres runs as the postgres user, inside it
    const nats = await natsServers(o.natsServers, join(dir, "nats"));
    let own: OwnPostgres | null = null;
    let shared: TestDatabase | null = null;
    if (o.ownPostgres) own = await ownPostgres(join(dir, "pg"));
    else shared = await testDatabase();
    const databaseUrl = own?.url ?? shared!.url;
    const target = await countingTarget();
    const nc = await connectNats(nats.url, "chaos-harness");
    // Authentication on, as deployed: the API's bootstrap key and the secrets keyring, in files beside the rest.
    const keys = await makeDeploymentKeys(dir);
    const ns = namespace(`chaos${randomBytes(4).toString("hex")}`);
    const stage = new Stage(nats, dir, databaseUrl, target, nc, ns, { own, shared }, keys);
    try {
      // The projections migrate the database first; the orchestrator makes the streams before the workers look for them.
      await stage.service("projections", "projections");
      await stage.service("orchestrator", "orchestrator", { LOG_LEVEL: "debug" });
      if (o.standby) await stage.service("orchestrator", "standby", { LOG_LEVEL: "debug" });
      await Promise.all([
        ...WORKERS.map((w) => stage.service("worker", w, { LOG_LEVEL: "debug", LL_WORKER_ID: w })),
        stage.service("api", "api"),
      ]);
    } catch (err) {
      await stage.stop();
      throw err;
    }
    return stage;
  }

  get postgres(): OwnPostgres {
    if (!this.pg.own) throw new Error("this stage has no Postgres of its own");
    return this.pg.own;
  }

  get api(): LoadlineClient {
    return new LoadlineClient(`http://127.0.0.1:${this.services.get("api")!.port}`, this.keys.adminKey);
  }

  /** Starts (or starts again) a service under `name`, and waits until it is ready. */
  async service(kind: ServiceName, name: string, env: Record<string, string> = {}): Promise<Service> {
    const s = await startService(
      kind,
      {
        NATS_URL: this.nats.url,
        DATABASE_URL: this.databaseUrl,
        LL_NAMESPACE: this.ns.prefix,
        LL_WORKER_THREADS: "1",
        LL_STREAM_REPLICAS: "auto",
        ...deploymentEnv(kind, this.keys),
        ...env,
      },
      name,
    );
    const before = this.services.get(name);
    this.services.set(name, s);
    if (before) this.retired.push(before);
    await waitReady(s, 45_000);
    return s;
  }

  /** Services that were replaced (killed, then started again): their logs still count. */
  private readonly retired: Service[] = [];

  kill(name: string): void {
    this.services.get(name)!.child.kill("SIGKILL");
  }

  /** A run of `vus` VUs for `durationSec` on all three workers, through the API; answers its id. */
  async startRun(vus: number, durationSec: number): Promise<string> {
    const test = await this.api.createLoadTest({
      name: "chaos",
      targetUrl: this.target.url,
      // {{__worker}}: the target counts what each worker sent.
      requests: [{ method: "GET", path: `/fixed?ms=${TARGET_MS}&w={{__worker}}` }],
      defaultUsers: vus,
      defaultSpawnRate: SPAWN_RATE,
      defaultDurationSec: durationSec,
    });
    const run = await this.api.startRun(test.id, { workers: WORKERS.length });
    return run.id;
  }

  /** The run's events, from the event store (the source of truth: it needs no Postgres). */
  runEvents(runId: string): Promise<EventEnvelope[]> {
    return this.read(this.ns.streams.events, subjects.event(this.ns, "default", "run", runId), (m) => parseEvent(m.json()));
  }

  /**
   * A stream's messages on a subject, read again when a request times out: just after a node
   * failed, the stream's new leader may not answer the first request.
   */
  private async read<T>(stream: string, subject: string, map: (m: JsMsg) => T): Promise<T[]> {
    // After a node's loss a read may wait on the stream's election (seen up to ~12 s) and on this
    // connection's reconnect: retry for as long as the scenarios allow the system to recover.
    const deadline = Date.now() + READ_RETRY_MS;
    for (;;) {
      const out: T[] = [];
      try {
        await replayStream(this.nc, stream, subject, (m) => void out.push(map(m)));
        return out;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(1000);
      }
    }
  }

  async runState(runId: string): Promise<RunState> {
    return fold(runDecider, await this.runEvents(runId));
  }

  /** Waits until the run's state says `done`; fails after `timeoutMs` with the state it is in. */
  async waitFor(runId: string, done: (s: RunState) => boolean, timeoutMs: number): Promise<RunState> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = await this.runState(runId).catch(() => null);
      if (state && done(state)) return state;
      if (Date.now() > deadline)
        throw new Error(`run ${runId} is ${state?.status ?? "unreadable"} after ${timeoutMs} ms\n${this.complaints()}`);
      await sleep(100);
    }
  }

  /**
   * Polls the API until it shows the run ended, then until every projection has caught up, so
   * its figures are final. Errors count as "not yet": the API answers 5xx while Postgres is away.
   */
  async apiEnded(runId: string, timeoutMs: number): Promise<RunView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await this.api.run(runId).catch(() => null);
      if (run && ["Completed", "Failed", "Cancelled"].includes(run.status)) {
        await this.api.waitForProjections(Math.max(1_000, deadline - Date.now()));
        return run;
      }
      if (Date.now() > deadline) throw new Error(`the API shows run ${runId} ${run?.status ?? "unreadable"} after ${timeoutMs} ms`);
      await sleep(250);
    }
  }

  /**
   * When every worker had begun the run's load (epoch ms): the agreed instant, or later for a
   * worker that heard of it late (on a busy machine the orchestrator may append `run.started`
   * after the instant it names; such a worker starts its VUs at once).
   */
  loadBegunAt(runId: string): number {
    const begun = [...this.services.values(), ...this.retired].flatMap((s) =>
      s
        .logs()
        .filter((l) => l.msg === "run begins" && l.runId === runId)
        .map((l) => Number(l.time) + Math.max(0, Number(l.inMs))),
    );
    if (begun.length === 0) throw new Error(`no worker logged beginning run ${runId}`);
    return Math.max(...begun);
  }

  /** What each worker reported when it stopped (`run.worker-stopped`): its requests, by worker id. */
  async stoppedTotals(runId: string): Promise<Record<string, number>> {
    const events = await this.runEvents(runId);
    return Object.fromEntries(events.flatMap((e) => (e.type === "run.worker-stopped" ? [[e.data.workerId, e.data.requests]] : [])));
  }

  /** Every metric window of the run in LL_METRICS, with its message id. */
  async windows(runId: string): Promise<Window[]> {
    const all = await this.read(this.ns.streams.metrics, `${this.ns.prefix}.met.default.${runId}.*`, (m) => ({
      msgID: m.headers?.get("Nats-Msg-Id") ?? "",
      event: parseEvent(m.json()),
    }));
    return all.flatMap(({ msgID, event: e }) =>
      e.type === "metrics.window"
        ? [{ msgID, workerId: e.data.workerId, second: e.data.second, requests: e.data.requests.reduce((n, r) => n + r.count, 0) }]
        : [],
    );
  }

  /** What the services were told the streams acknowledged: window message ids, and event sequences. */
  acknowledged(): { windows: Set<string>; eventSeqs: Set<number> } {
    const windows = new Set<string>();
    const eventSeqs = new Set<number>();
    for (const s of [...this.services.values(), ...this.retired]) {
      for (const line of s.logs()) {
        if (line.msg === "window acked" && typeof line.msgID === "string") windows.add(line.msgID);
        if (line.msg === "events appended" && Array.isArray(line.seqs)) for (const seq of line.seqs) eventSeqs.add(Number(seq));
      }
    }
    return { windows, eventSeqs };
  }

  /** The warnings and errors the orchestrators logged: what a failed scenario shows. */
  complaints(): string {
    const lines = [...this.retired, ...this.services.values()]
      .filter((s) => s.name === "orchestrator" || s.name === "standby")
      .flatMap((s) =>
        s
          .logs()
          .filter((l) => Number(l.level) >= 40 || l.msg === "orchestrator active")
          .map((l) => `${s.name}: ${l.msg} ${JSON.stringify({ ...l, msg: undefined, err: errorLine(l.err) }).slice(0, 300)}`),
      );
    return lines.slice(-30).join("\n");
  }

  /** Each stream's (and bucket's) replicas. */
  async replicas(): Promise<Record<string, number>> {
    const jsm = await jetstreamManager(this.nc);
    const names = [...Object.values(this.ns.streams), ...Object.values(this.ns.buckets).map((b) => `KV_${b}`)];
    return Object.fromEntries(await Promise.all(names.map(async (n) => [n, (await jsm.streams.info(n)).config.num_replicas] as const)));
  }

  /** A schedule's events, from the event store. */
  scheduleEvents(scheduleId: string): Promise<EventEnvelope[]> {
    return this.read(this.ns.streams.events, subjects.event(this.ns, "default", "schedule", scheduleId), (m) => parseEvent(m.json()));
  }

  /** Every run.created of the tenant's runs, from the event store. */
  async runsCreated(): Promise<EventOf<"run.created">[]> {
    const all = await this.read(this.ns.streams.events, `${this.ns.prefix}.evt.default.run.*`, (m) => parseEvent(m.json()));
    return all.filter((e): e is EventOf<"run.created"> => e.type === "run.created");
  }

  /** Sequences LL_EVENTS holds. */
  async eventSeqs(): Promise<Set<number>> {
    return new Set(await this.read(this.ns.streams.events, subjects.allEvents(this.ns), (m) => m.seq));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => stopService(s, 10_000).catch(() => undefined)));
    // CHAOS_LOGS=<dir> keeps every service's output, for a scenario that failed.
    const keep = process.env.CHAOS_LOGS;
    if (keep) {
      mkdirSync(keep, { recursive: true });
      for (const s of [...this.services.values(), ...this.retired])
        writeFileSync(join(keep, `${this.ns.prefix}-${s.name}-${s.child.pid}.log`), s.output());
    }
    await this.nc.close().catch(() => undefined);
    await this.target.close();
    await this.nats.stopAll();
    this.pg.own?.destroy();
    await this.pg.shared?.drop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** An error's type and message without its stack: what a complaint needs, in one line. */
function errorLine(err: unknown): string | undefined {
  if (!err || typeof err !== "object") return err === undefined ? undefined : String(err);
  const { type, message } = err as { type?: string; message?: string };
  return `${type ?? "Error"}: ${message ?? ""}`;
}
