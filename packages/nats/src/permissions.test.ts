import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type AggregateRef, createCommand, type EventEnvelope, type EventType, eventExamples, newId } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { AckPolicy, type ConsumerMessages, DeliverPolicy, type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, errors, type NatsConnection, nanos, type PermissionViolationError } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommandBus, type CommandOutcome } from "./command-bus.ts";
import { connectNats, PULL_EXPIRES_MS } from "./connect.ts";
import { JetStreamEventStore } from "./jetstream-event-store.ts";
import { namespace, subjects } from "./namespace.ts";
import { natsAuthFromEnv, natsConnectionOptions } from "./nats-auth.ts";
import { replayStream } from "./replay.ts";
import { findNatsServer, type SpawnedNats, spawnNatsServer } from "./server-process.ts";
import { ensureStreams, type StreamOptions } from "./streams.ts";
import { listWorkers, openWorkerBucket, type WorkerBucket, WorkerHeartbeat } from "./worker-bucket.ts";

/**
 * infra/nats/single.conf as shipped (its users and permissions: accounts.conf), on a server of
 * this test's own: only its ports, store and certificate paths are changed, and the passwords
 * are given in the server's environment as an operator would. Each service's user runs the
 * calls that service's code makes (the functions of this package, or the same nats.js calls
 * where the code lives in a service package this one may not import), and is refused what it
 * must never do. The server's log must show no refusal of the allowed work.
 */

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const USERS = ["orchestrator", "api", "worker", "projections", "agent", "operator"] as const;
type User = (typeof USERS)[number];
/**
 * nats-server parses a `$VAR` as a configuration value: `49e3f1` is a malformed number and
 * stops it, `a;b` reads as `a`. Passwords are letters and digits that begin with a letter.
 */
const passwords = Object.fromEntries(USERS.map((u) => [u, `p${randomBytes(12).toString("hex")}`])) as Record<User, string>;

/** The shipped namespace: the permissions name its subjects and streams. */
const ns = namespace("ll");
const TENANT = "default";
const STREAMS: StreamOptions = { metricsMaxAgeMs: 30 * 24 * 3600 * 1000, replicas: 1 };
const WORKER_ID = "w-perm-1";
const runId = newId();
const loadTestId = newId();
const run: AggregateRef = { type: "run", id: runId };

let dir: string;
let tls: { ca: string; cert: string; key: string };
let server: SpawnedNats;
let url: string;
let logFile: string;
const opened: NatsConnection[] = [];
const nc = {} as Record<User, NatsConnection>;

beforeAll(async () => {
  const bin = findNatsServer();
  if (!bin) throw new Error("nats-server is not installed (Debian: apt-get install nats-server)");
  dir = mkdtempSync(join(tmpdir(), "ll-nats-permissions-"));
  const tlsDir = join(dir, "tls");
  const gen = spawnSync("bash", [join(ROOT, "scripts/gen-nats-certs.sh"), tlsDir], { encoding: "utf8", timeout: 30_000 });
  if (gen.status !== 0) throw new Error(`scripts/gen-nats-certs.sh failed: ${gen.stderr}`);
  tls = { ca: join(tlsDir, "ca.pem"), cert: join(tlsDir, "client-cert.pem"), key: join(tlsDir, "client-key.pem") };
  writeFileSync(join(dir, "single.conf"), shippedConfig(join(dir, "store"), tlsDir));
  copyFileSync(join(ROOT, "infra/nats/accounts.conf"), join(dir, "accounts.conf"));
  logFile = join(dir, "nats.log");
  const env = Object.fromEntries(USERS.map((u) => [`NATS_${u.toUpperCase()}_PASSWORD`, passwords[u]]));
  server = await withEnv(env, () =>
    spawnNatsServer(bin, ["-c", join(dir, "single.conf"), "-l", logFile], { portsDir: dir, timeoutMs: 15_000 }),
  );
  url = `nats://127.0.0.1:${server.ports.client}`;
  for (const user of USERS) nc[user] = await as(user);
});

afterAll(async () => {
  await Promise.all(opened.map((c) => c.close().catch(() => undefined)));
  if (server) {
    server.child.kill("SIGTERM");
    await Promise.race([server.exited, new Promise((r) => setTimeout(r, 5000))]);
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** single.conf with its port, store and certificate paths made this test's: each must still be there to change. */
function shippedConfig(storeDir: string, tlsDir: string): string {
  let text = readFileSync(join(ROOT, "infra/nats/single.conf"), "utf8");
  const swaps: [string, string][] = [
    ["listen: 127.0.0.1:4222", "listen: 127.0.0.1:-1"],
    ["http: 127.0.0.1:8222", "http: 127.0.0.1:-1"],
    ["/var/lib/loadline/nats", storeDir],
    ["/etc/loadline/nats/tls", tlsDir],
  ];
  for (const [from, to] of swaps) {
    if (!text.includes(from)) throw new Error(`infra/nats/single.conf no longer holds "${from}": update this test`);
    text = text.replaceAll(from, to);
  }
  return text;
}

/** Runs `f` with `env` set in this process's environment (a child spawned meanwhile inherits it), then puts it back. */
async function withEnv<T>(env: Record<string, string>, f: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await f();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** A service's connection: connectNats with what natsAuthFromEnv reads from a service's environment. */
async function as(user: User): Promise<NatsConnection> {
  const auth = natsAuthFromEnv({ NATS_USER: user, NATS_PASSWORD: passwords[user], NATS_TLS_CA_FILE: tls.ca });
  const c = await within(10_000, `connect as ${user}`, connectNats(url, `permissions-test-${user}`, undefined, { auth }));
  opened.push(c);
  return c;
}

const jsm = (user: User): Promise<JetStreamManager> => jetstreamManager(nc[user], { checkAPI: false });

/** The permission refusal an error carries (itself, or as its cause). */
function violationOf(err: unknown): PermissionViolationError | undefined {
  for (let e = err; e instanceof Error; e = e.cause) if (e instanceof errors.PermissionViolationError) return e;
  return undefined;
}

/** A request (JetStream publish, API call) the server refuses: nats.js fails it at once with the refusal. */
async function expectRefused(action: Promise<unknown>, subject: string): Promise<void> {
  const err = await within(
    10_000,
    `refusal of ${subject}`,
    action.then(
      () => new Error(`${subject} was allowed`),
      (e: unknown) => e,
    ),
  );
  const violation = violationOf(err);
  if (!violation) throw err instanceof Error ? err : new Error(String(err));
  expect(violation.operation).toBe("publish");
  expect(violation.subject).toBe(subject);
}

/** A plain publish (no answer to wait for) the server refuses: the refusal comes on the connection's status. */
async function expectPublishRefused(c: NatsConnection, subject: string, act: () => void): Promise<void> {
  const seen = (async () => {
    for await (const s of c.status()) {
      if (s.type === "error" && s.error instanceof errors.PermissionViolationError && s.error.subject === subject) return s.error;
    }
    return undefined;
  })();
  act();
  await c.flush();
  const violation = await within(5_000, `refusal of ${subject}`, seen);
  expect(violation?.operation).toBe("publish");
}

async function expectSubscribeRefused(c: NatsConnection, subject: string): Promise<void> {
  const closed = await within(5_000, `refusal of a subscription to ${subject}`, c.subscribe(subject).closed);
  expect(closed).toBeInstanceOf(errors.PermissionViolationError);
  expect((closed as PermissionViolationError).operation).toBe("subscription");
}

function eventOf<T extends EventType>(type: T, aggregate: AggregateRef, data = eventExamples[type]): EventEnvelope {
  return {
    id: newId(),
    type,
    schemaVersion: 1,
    tenantId: TENANT,
    aggregate,
    time: new Date().toISOString(),
    actor: "permissions-test",
    causationId: null,
    correlationId: aggregate.id,
    data,
  } as EventEnvelope;
}

const loadTestDelete = (id = loadTestId) =>
  createCommand({ type: "load-test.delete", tenantId: TENANT, aggregate: { type: "load-test", id }, data: {} });
const workerReport = () =>
  createCommand({
    type: "run.report-worker-ready",
    tenantId: TENANT,
    aggregate: run,
    data: { workerId: WORKER_ID },
    actor: `worker:${WORKER_ID}`,
  });
/** Where a worker's report on a run goes: one token more than an API command, so that permissions tell the two apart. */
const reportSubject = `${subjects.command(ns, TENANT, "run", runId)}.${WORKER_ID}`;
const AGENT_ID = "agent-1";
const agentReport = () =>
  createCommand({
    type: "agent.report-action-started",
    tenantId: TENANT,
    aggregate: { type: "agent", id: AGENT_ID },
    data: { actionId: newId() },
    actor: `agent:${AGENT_ID}`,
  });
/** Where an agent reports: like a worker's report, one token more than an API command. */
const agentReportSubject = subjects.agentReport(ns, TENANT, AGENT_ID);

describe("each service does its work under its own NATS user (infra/nats/single.conf)", () => {
  let workers: WorkerBucket;
  let orchestratorBucket: WorkerBucket;
  let heartbeat: WorkerHeartbeat;
  let commands: ConsumerMessages;
  const decided = new Map<string, string>();

  it("the orchestrator creates the streams and buckets; the API and the projections, starting after it, only read them", async () => {
    await ensureStreams(await jsm("orchestrator"), ns, STREAMS);
    await openWorkerBucket(nc.orchestrator, ns, 1);
    await new Kvm(nc.orchestrator).create(ns.buckets.leases, { history: 1, replicas: 1 }); // openLeaseBucket
    for (const user of ["api", "projections"] as const) await ensureStreams(await jsm(user), ns, STREAMS);
  });

  it("the orchestrator consumes commands (durable), answers their outcome, acks them", async () => {
    const m = await jsm("orchestrator");
    // As Orchestrator.consume does.
    await m.consumers.add(ns.streams.commands, {
      durable_name: "orchestrator",
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(10_000),
      filter_subject: subjects.allCommands(ns),
    });
    const consumer = await jetstream(nc.orchestrator).consumers.get(ns.streams.commands, "orchestrator");
    commands = await consumer.consume({ max_messages: 64, expires: PULL_EXPIRES_MS });
    const bus = new CommandBus(nc.orchestrator, ns);
    void (async () => {
      for await (const msg of commands) {
        const command = msg.json<{ id: string; type: string; aggregate: AggregateRef }>();
        decided.set(command.id, msg.subject);
        const outcome: CommandOutcome = {
          ok: true,
          commandId: command.id,
          aggregateId: command.aggregate.id,
          version: 1,
          seq: 1,
          seqs: [1],
        };
        bus.reply(outcome);
        msg.ack();
      }
    })();
    const command = loadTestDelete();
    const outcome = await new CommandBus(nc.api, ns).send(command, 10_000);
    expect(outcome).toMatchObject({ ok: true, commandId: command.id });
    expect(decided.get(command.id)).toBe(subjects.command(ns, TENANT, "load-test", loadTestId));
  });

  it("the orchestrator appends events, reads aggregates back and replays the stream", async () => {
    const store = new JetStreamEventStore(nc.orchestrator, ns);
    const created = await store.append(
      TENANT,
      { type: "load-test", id: loadTestId },
      [eventOf("load-test.created", { type: "load-test", id: loadTestId })],
      {
        expectedSeq: 0,
      },
    );
    const assigned = eventOf("run.worker-assigned", run, { ...eventExamples["run.worker-assigned"], workerId: WORKER_ID });
    await store.append(TENANT, run, [assigned], { expectedSeq: 0 });
    expect((await store.read(TENANT, { type: "load-test", id: loadTestId })).seq).toBe(created.seq);
    const replayed: string[] = [];
    for await (const stored of store.readAll({ aggregateType: "run" })) replayed.push(stored.event.id);
    expect(replayed).toContain(assigned.id);
  });

  it("the orchestrator holds the lease in its bucket, by revision", async () => {
    const leases = await new Kvm(nc.orchestrator).create(ns.buckets.leases, { history: 1, replicas: 1 });
    const value = () => JSON.stringify({ holder: "orchestrator-test", at: new Date().toISOString() });
    const taken = await leases.create("orchestrator", value());
    const renewed = await leases.update("orchestrator", value(), taken);
    expect((await leases.get("orchestrator"))?.revision).toBe(renewed);
    await leases.delete("orchestrator");
  });

  it("a worker registers and heartbeats; the orchestrator hears and watches it, the API lists it", async () => {
    const beats: string[] = [];
    const hb = nc.orchestrator.subscribe(subjects.allHeartbeats(ns), {
      callback: (_, m) => {
        beats.push(m.subject);
      },
    });
    orchestratorBucket = await openWorkerBucket(nc.orchestrator, ns, 1);
    const watch = await orchestratorBucket.watch({ key: ">" }); // as FleetMonitor does
    const watched = (async () => {
      for await (const e of watch) if (e.key === WORKER_ID && e.operation === "PUT") return e.key;
      return undefined;
    })();
    workers = await openWorkerBucket(nc.worker, ns, 1);
    heartbeat = new WorkerHeartbeat({
      nc: nc.worker,
      ns,
      kv: workers,
      workerId: WORKER_ID,
      intervalMs: 100,
      registration: () => ({
        workerId: WORKER_ID,
        version: "test",
        capacity: { threads: 1, maxVUs: 10, maxArrivalRate: 10 },
        labels: {},
        startedAt: "2026-01-01T00:00:00.000Z",
        heartbeatAt: new Date().toISOString(),
        status: "active",
        assignments: [],
      }),
    });
    await heartbeat.start();
    expect(await within(5_000, "the watch", watched)).toBe(WORKER_ID);
    await eventually(() => beats.includes(subjects.heartbeat(ns, WORKER_ID)), 5_000);
    expect((await listWorkers(orchestratorBucket)).map((w) => w.workerId)).toContain(WORKER_ID);
    expect((await listWorkers(await openWorkerBucket(nc.api, ns, 1))).map((w) => w.workerId)).toContain(WORKER_ID);
    watch.stop();
    hb.unsubscribe();
  });

  it("a worker follows the run events, loads its run, hears the stop echo, reports, publishes a metric window", async () => {
    const store = new JetStreamEventStore(nc.worker, ns);
    // As listenToRunEvents does: an ordered consumer on the run events.
    const runEvents = store.subscribe({
      aggregateType: "run",
      afterSeq: (await (await jsm("worker")).streams.info(ns.streams.events)).state.last_seq,
    });
    const echoes = nc.worker.subscribe(subjects.allRunControl(ns), { max: 1, timeout: 10_000 });
    const started = eventOf("run.started", run);
    const seen = (async () => {
      for await (const stored of runEvents) if (stored.event.id === started.id) return stored.event.type;
      return undefined;
    })();
    const orchestrator = new JetStreamEventStore(nc.orchestrator, ns);
    const last = await orchestrator.read(TENANT, run);
    await orchestrator.append(TENANT, run, [started], { expectedSeq: last.seq });
    expect(await within(10_000, "the run event", seen)).toBe("run.started");
    await runEvents.close();

    const loaded = await store.read(TENANT, run); // loadAggregate on run.worker-assigned
    expect(loaded.events.map((e) => e.event.type)).toEqual(["run.worker-assigned", "run.started"]);

    const stopping = eventOf("run.stopping", run);
    nc.orchestrator.publish(subjects.runControl(ns, TENANT, runId), JSON.stringify(stopping)); // echoStops
    for await (const m of echoes) expect(m.json<EventEnvelope>().id).toBe(stopping.id);

    const report = workerReport();
    await jetstream(nc.worker).publish(reportSubject, JSON.stringify(report), { msgID: report.id });
    await eventually(() => decided.get(report.id) === reportSubject, 10_000);

    const second = Math.floor(Date.now() / 1000);
    const window = eventOf("metrics.window", run, { ...eventExamples["metrics.window"], runId, workerId: WORKER_ID, second });
    const ack = await jetstream(nc.worker).publish(subjects.metrics(ns, TENANT, runId, WORKER_ID), JSON.stringify(window), {
      msgID: `${runId}.${WORKER_ID}.${second}`, // as WindowPublisher does
    });
    expect(ack.stream).toBe(ns.streams.metrics);
  });

  it("the orchestrator judges thresholds: follows a run's windows and finds each worker's last (ThresholdWatch)", async () => {
    const filter = `${ns.prefix}.met.${TENANT}.${runId}.*`;
    const consumer = await jetstream(nc.orchestrator).consumers.get(ns.streams.metrics, {
      filter_subjects: filter,
      deliver_policy: DeliverPolicy.All,
    });
    const messages = await consumer.consume({ max_messages: 16, expires: PULL_EXPIRES_MS });
    let seq = 0;
    for await (const m of messages) {
      seq = m.seq;
      break;
    }
    await messages.close();
    const last = await (await jsm("orchestrator")).streams.getMessage(ns.streams.metrics, {
      last_by_subj: subjects.metrics(ns, TENANT, runId, WORKER_ID),
    });
    expect(last?.seq).toBe(seq);
  });

  it("an agent publishes its registration and telemetry on LL_AGENT", async () => {
    for (const kind of ["registered", "telemetry"] as const) {
      const ack = await jetstream(nc.agent).publish(subjects.agent(ns, TENANT, AGENT_ID, kind), JSON.stringify({ agentId: AGENT_ID }));
      expect(ack.stream).toBe(ns.streams.agent);
    }
  });

  it("the orchestrator follows LL_AGENT from each agent's last message (AgentDirectory)", async () => {
    // As AgentDirectory.start does: the stream's state, then an ordered consumer from the last message per subject.
    expect((await (await jsm("orchestrator")).streams.info(ns.streams.agent)).state.messages).toBeGreaterThan(0);
    const consumer = await jetstream(nc.orchestrator).consumers.get(ns.streams.agent, {
      filter_subjects: `${ns.prefix}.agt.>`,
      deliver_policy: DeliverPolicy.LastPerSubject,
    });
    const messages = await consumer.consume({ max_messages: 16, expires: PULL_EXPIRES_MS });
    const heard: string[] = [];
    for await (const m of messages) {
      heard.push(m.subject);
      if (m.info.pending === 0) break;
    }
    await messages.close();
    expect(heard).toContain(subjects.agent(ns, TENANT, AGENT_ID, "telemetry"));
  });

  it("the API asks an agent for an action; the orchestrator echoes it; the agent hears it and reports on its own subject", async () => {
    const request = createCommand({
      type: "agent.request-action",
      tenantId: TENANT,
      aggregate: { type: "agent", id: AGENT_ID },
      data: { action: "restart-api", params: {} },
    });
    expect(await new CommandBus(nc.api, ns).send(request, 10_000)).toMatchObject({ ok: true });
    expect(decided.get(request.id)).toBe(subjects.command(ns, TENANT, "agent", AGENT_ID));

    const heard = nc.agent.subscribe(subjects.agentControl(ns, TENANT, AGENT_ID), { max: 1, timeout: 10_000 });
    await nc.agent.flush();
    const requested = eventOf(
      "agent.action-requested",
      { type: "agent", id: AGENT_ID },
      { ...eventExamples["agent.action-requested"], actionId: request.id },
    );
    nc.orchestrator.publish(subjects.agentControl(ns, TENANT, AGENT_ID), JSON.stringify(requested)); // the echo
    for await (const m of heard) expect(m.json<EventEnvelope>().id).toBe(requested.id);

    // As the agent's reporter does: CommandBus.dispatch puts a report on <ns>.cmd.<tenant>.agent.<agent>.<agent>.
    const report = agentReport();
    await new CommandBus(nc.agent, ns).dispatch(report);
    await eventually(() => decided.get(report.id) === agentReportSubject, 10_000);
  });

  it("the projections consume LL_EVENTS and LL_METRICS with durable pull consumers, acked by batch, and replay them", async () => {
    const m = await jsm("projections");
    for (const [stream, durable, filter] of [
      [ns.streams.events, "proj_events", subjects.allEvents(ns)],
      [ns.streams.metrics, "proj_metrics", subjects.allMetrics(ns)],
      [ns.streams.agent, "proj_agent", subjects.allAgent(ns)],
    ] as const) {
      // As ensureDurable and the Projector do.
      expect(await m.consumers.info(stream, durable).catch(() => null)).toBeNull();
      await m.consumers.add(stream, {
        durable_name: durable,
        ack_policy: AckPolicy.All,
        filter_subject: filter,
        max_ack_pending: 1000,
        deliver_policy: DeliverPolicy.All,
      });
      const consumer = await jetstream(nc.projections).consumers.get(stream, durable);
      const pending = (await consumer.info(true)).num_pending;
      expect(pending).toBeGreaterThan(0);
      const batch = await consumer.fetch({ max_messages: pending, expires: 2_000 });
      const seqs: number[] = [];
      let lastMsg: { ack(): void } | undefined;
      for await (const msg of batch) {
        seqs.push(msg.seq);
        lastMsg = msg;
      }
      expect(seqs).toHaveLength(pending);
      lastMsg?.ack();
      await eventually(async () => (await consumer.info()).num_ack_pending === 0, 5_000);
      // A rebuild's ephemeral consumer.
      expect(await replayStream(nc.projections, stream, filter, () => undefined)).toBe(pending);
      // Recreated from a checkpoint.
      await m.consumers.delete(stream, durable);
    }
  });

  it("a worker leaves the fleet", async () => {
    await heartbeat.stop({ leave: true });
    expect((await listWorkers(orchestratorBucket)).map((w) => w.workerId)).not.toContain(WORKER_ID);
    await commands.close();
  });

  it("none of that was refused: the server logged no permission violation", () => {
    const refusals = readFileSync(logFile, "utf8")
      .split("\n")
      .filter((line) => /Violation/.test(line));
    expect(refusals).toEqual([]);
  });
});

describe("and nothing else", () => {
  it("a worker may not send a command nor a report as another worker, append an event, or read other events", async () => {
    await expectRefused(new CommandBus(nc.worker, ns).dispatch(loadTestDelete()), subjects.command(ns, TENANT, "load-test", loadTestId));
    await expectRefused(jetstream(nc.worker).publish("ll.cmd.default.load-test.x", "{}"), "ll.cmd.default.load-test.x");
    // A run command as the API sends it (run.stop): only reports, one token longer, are a worker's.
    await expectRefused(
      jetstream(nc.worker).publish(subjects.command(ns, TENANT, "run", runId), "{}"),
      subjects.command(ns, TENANT, "run", runId),
    );
    const event = eventOf("run.stopping", run);
    await expectRefused(
      new JetStreamEventStore(nc.worker, ns).append(TENANT, run, [event], { expectedSeq: 0 }),
      subjects.event(ns, TENANT, "run", runId),
    );
    await expectPublishRefused(nc.worker, subjects.runControl(ns, TENANT, runId), () =>
      nc.worker.publish(subjects.runControl(ns, TENANT, runId), JSON.stringify(event)),
    );
    // Nor an agent's report, nor the agents' echo.
    await expectRefused(jetstream(nc.worker).publish(agentReportSubject, JSON.stringify(agentReport())), agentReportSubject);
    await expectPublishRefused(nc.worker, subjects.agentControl(ns, TENANT, AGENT_ID), () =>
      nc.worker.publish(subjects.agentControl(ns, TENANT, AGENT_ID), "{}"),
    );
    await expectSubscribeRefused(nc.worker, subjects.allAgentControl(ns));
    // A consumer of anything but run events (a load test's, here) is refused.
    const loadTest = new JetStreamEventStore(nc.worker, ns).read(TENANT, { type: "load-test", id: loadTestId });
    expect(
      violationOf(
        await loadTest.then(
          () => null,
          (e: unknown) => e,
        ),
      )?.subject,
    ).toMatch(new RegExp(`^\\$JS\\.API\\.CONSUMER\\.CREATE\\.LL_EVENTS\\.[^.]+\\.ll\\.evt\\.default\\.load-test\\.${loadTestId}$`));
    await expectSubscribeRefused(nc.worker, "ll.evt.>");
    await expectSubscribeRefused(nc.worker, "ll.cmd.>");
    // Nobody else's replies and deliveries.
    await expectSubscribeRefused(nc.worker, "_INBOX.>");
    await expectSubscribeRefused(nc.worker, "_INBOX.projections.>");
  });

  it("a worker may not take the projections' deliveries, nor write the lease", async () => {
    const m = await jsm("projections");
    await m.consumers.add(ns.streams.events, {
      durable_name: "proj_events",
      ack_policy: AckPolicy.All,
      filter_subject: subjects.allEvents(ns),
    });
    const stolen = await jetstream(nc.worker).consumers.get(ns.streams.events, "proj_events");
    await expectPublishRefused(nc.worker, `$JS.API.CONSUMER.MSG.NEXT.${ns.streams.events}.proj_events`, () => {
      void stolen.next({ expires: 1_000 }).catch(() => undefined);
    });
    await expectRefused(
      (await jsm("worker")).consumers.add(ns.streams.events, {
        name: "proj_events",
        filter_subject: "ll.evt.*.run.*",
        ack_policy: AckPolicy.None,
      }),
      `$JS.API.CONSUMER.CREATE.${ns.streams.events}.proj_events.ll.evt.*.run.*`,
    );
    await expectRefused(
      jetstream(nc.worker).publish(`$KV.${ns.buckets.leases}.orchestrator`, "{}"),
      `$KV.${ns.buckets.leases}.orchestrator`,
    );
    await expectRefused((await jsm("worker")).streams.info(`KV_${ns.buckets.leases}`), `$JS.API.STREAM.INFO.KV_${ns.buckets.leases}`);
  });

  it("the API may not append an event, send a worker's report, or read the streams", async () => {
    await expectRefused(
      new JetStreamEventStore(nc.api, ns).append(TENANT, run, [eventOf("run.stopping", run)], { expectedSeq: 0 }),
      subjects.event(ns, TENANT, "run", runId),
    );
    await expectRefused(jetstream(nc.api).publish(reportSubject, JSON.stringify(workerReport())), reportSubject);
    await expectRefused(
      (await jsm("api")).consumers.add(ns.streams.events, { ack_policy: AckPolicy.None }),
      `$JS.API.CONSUMER.CREATE.${ns.streams.events}`,
    );
    await expectRefused(jetstream(nc.api).publish(subjects.heartbeat(ns, "w-fake"), "{}"), subjects.heartbeat(ns, "w-fake"));
    await expectSubscribeRefused(nc.api, "ll.evt.>");
    // The request goes as a command; only the orchestrator echoes it once stored, and only an agent reports.
    await expectRefused(jetstream(nc.api).publish(agentReportSubject, JSON.stringify(agentReport())), agentReportSubject);
    await expectPublishRefused(nc.api, subjects.agentControl(ns, TENANT, AGENT_ID), () =>
      nc.api.publish(subjects.agentControl(ns, TENANT, AGENT_ID), "{}"),
    );
    await expectRefused(
      jetstream(nc.api).publish(subjects.agent(ns, TENANT, AGENT_ID, "registered"), "{}"),
      subjects.agent(ns, TENANT, AGENT_ID, "registered"),
    );
  });

  it("the projections may not send a command or append an event", async () => {
    await expectRefused(
      new CommandBus(nc.projections, ns).dispatch(loadTestDelete()),
      subjects.command(ns, TENANT, "load-test", loadTestId),
    );
    await expectRefused(
      new JetStreamEventStore(nc.projections, ns).append(TENANT, run, [eventOf("run.stopping", run)], { expectedSeq: 0 }),
      subjects.event(ns, TENANT, "run", runId),
    );
    await expectPublishRefused(nc.projections, subjects.commandOutcome(ns, "x"), () =>
      nc.projections.publish(subjects.commandOutcome(ns, "x"), "{}"),
    );
    await expectPublishRefused(nc.projections, subjects.agentControl(ns, TENANT, AGENT_ID), () =>
      nc.projections.publish(subjects.agentControl(ns, TENANT, AGENT_ID), "{}"),
    );
  });

  it("an agent may publish on LL_AGENT and its reports only: no API command, no worker's report, no echo, no events", async () => {
    const window = subjects.metrics(ns, TENANT, runId, AGENT_ID);
    await expectRefused(jetstream(nc.agent).publish(window, "{}"), window);
    await expectRefused(
      jetstream(nc.agent).publish(subjects.command(ns, TENANT, "run", runId), "{}"),
      subjects.command(ns, TENANT, "run", runId),
    );
    // An action asked of itself (or of another agent) is the API's to send: it would skip the route's checks.
    const request = createCommand({
      type: "agent.request-action",
      tenantId: TENANT,
      aggregate: { type: "agent", id: AGENT_ID },
      data: { action: "restart-api", params: {} },
    });
    await expectRefused(new CommandBus(nc.agent, ns).dispatch(request), subjects.command(ns, TENANT, "agent", AGENT_ID));
    await expectRefused(jetstream(nc.agent).publish(reportSubject, JSON.stringify(workerReport())), reportSubject);
    await expectPublishRefused(nc.agent, subjects.agentControl(ns, TENANT, "agent-2"), () =>
      nc.agent.publish(subjects.agentControl(ns, TENANT, "agent-2"), "{}"),
    );
    await expectRefused(
      new JetStreamEventStore(nc.agent, ns).append(TENANT, run, [eventOf("run.stopping", run)], { expectedSeq: 0 }),
      subjects.event(ns, TENANT, "run", runId),
    );
    await expectRefused(jetstreamManager(nc.agent), "$JS.API.INFO");
    await expectSubscribeRefused(nc.agent, "ll.cmd.>");
    await expectSubscribeRefused(nc.agent, "ll.evt.>");
    await expectSubscribeRefused(nc.agent, "_INBOX.worker.>");
  });

  it("no service may delete or purge a stream, a message or a bucket, or create a stream the orchestrator did not", async () => {
    for (const user of ["orchestrator", "api", "worker", "projections", "agent"] as const) {
      const m = await jsm(user);
      await expectRefused(m.streams.purge(ns.streams.events), `$JS.API.STREAM.PURGE.${ns.streams.events}`);
      await expectRefused(m.streams.delete(ns.streams.metrics), `$JS.API.STREAM.DELETE.${ns.streams.metrics}`);
      await expectRefused(m.streams.deleteMessage(ns.streams.events, 1), `$JS.API.STREAM.MSG.DELETE.${ns.streams.events}`);
      await expectRefused(m.streams.delete(`KV_${ns.buckets.workers}`), `$JS.API.STREAM.DELETE.KV_${ns.buckets.workers}`);
      if (user !== "orchestrator") {
        await expectRefused(m.streams.add({ name: "LL_OTHER", subjects: ["ll.other.>"] }), "$JS.API.STREAM.CREATE.LL_OTHER");
        // nats.js reads the stream's configuration first, which an agent may not.
        const refused = user === "agent" ? "INFO" : "UPDATE";
        await expectRefused(m.streams.update(ns.streams.events, { max_msgs: 1 }), `$JS.API.STREAM.${refused}.${ns.streams.events}`);
      }
    }
    await expectRefused((await workersBucketOf("worker")).destroy(), `$JS.API.STREAM.DELETE.KV_${ns.buckets.workers}`);
    // The operator may (the CLI's tools, admin).
    await (await jsm("operator")).streams.purge(ns.streams.agent);
  });

  it("the API and the projections may not change a stream: asked for other settings, ensureStreams leaves it as it is", async () => {
    for (const user of ["api", "projections"] as const) {
      await ensureStreams(await jsm(user), ns, { ...STREAMS, metricsMaxAgeMs: 60_000 });
    }
    const metrics = await (await jsm("operator")).streams.info(ns.streams.metrics);
    expect(metrics.config.max_age).toBe(nanos(STREAMS.metricsMaxAgeMs));
    const refusals = readFileSync(logFile, "utf8").match(/User "(api|projections)", Subject "\$JS\.API\.STREAM\.UPDATE\.LL_METRICS"/g);
    expect(refusals).toHaveLength(2);
  });

  it("a wrong password or none is refused", async () => {
    const base = { servers: url, tls: { caFile: tls.ca }, maxReconnectAttempts: 0, reconnect: false, timeout: 5_000 };
    await expect(connect({ ...base, user: "worker", pass: "not-the-password" })).rejects.toBeInstanceOf(errors.AuthorizationError);
    await expect(connect(base)).rejects.toBeInstanceOf(errors.AuthorizationError);
  });
});

const workersBucketOf = (user: User) => new Kvm(nc[user]).open(ns.buckets.workers);

describe("TLS", () => {
  it("a service connects with NATS_TLS_CA_FILE (and a client certificate, when it has one)", async () => {
    const env = { NATS_USER: "operator", NATS_PASSWORD: passwords.operator, NATS_TLS_CA_FILE: tls.ca };
    for (const e of [env, { ...env, NATS_TLS_CERT_FILE: tls.cert, NATS_TLS_KEY_FILE: tls.key }]) {
      const c = await within(10_000, "TLS connect", connectNats(url, "tls-check", undefined, { auth: natsAuthFromEnv(e) }));
      opened.push(c);
      expect(c.info?.tls_required).toBe(true);
      await c.flush();
    }
  });

  it("a client that does not know the CA is refused", async () => {
    const attempt = connect({
      servers: url,
      user: "operator",
      pass: passwords.operator,
      maxReconnectAttempts: 0,
      reconnect: false,
      timeout: 5_000,
    });
    await expect(attempt).rejects.toThrow(/certificate/);
  });

  it("plaintext is refused: the server requires TLS before it reads a CONNECT", async () => {
    const answer = await plaintext(
      server.ports.client,
      `CONNECT {"user":"operator","pass":"${passwords.operator}","verbose":false}\r\nPING\r\n`,
    );
    expect(answer).toMatch(/"tls_required":true/);
    expect(answer).not.toMatch(/PONG/);
  });
});

/** What the server sends to a client that answers its INFO with `send` in plain text, until it closes (or 3 s pass). */
function plaintext(port: number, send: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = "";
    let sent = false;
    const socket = tcpConnect(port, "127.0.0.1");
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, 3_000);
    socket.on("data", (d: Buffer) => {
      got += d.toString("latin1");
      if (!sent && got.includes("\r\n")) {
        sent = true;
        socket.write(send);
      }
    });
    socket.on("close", done);
    socket.on("error", (err) => (got ? done() : reject(err)));
  });
}

describe("natsAuthFromEnv", () => {
  it("reads a user and password, TLS files and the inbox prefix", () => {
    const auth = natsAuthFromEnv({
      NATS_USER: "worker",
      NATS_PASSWORD: "s3cret",
      NATS_TLS_CA_FILE: "/tls/ca.pem",
      NATS_TLS_CERT_FILE: "/tls/c.pem",
      NATS_TLS_KEY_FILE: "/tls/k.pem",
      NATS_TOKEN: "",
      OTHER: "x",
    });
    expect(auth).toEqual({
      credentials: { kind: "password", user: "worker", password: "s3cret" },
      tls: { caFile: "/tls/ca.pem", certFile: "/tls/c.pem", keyFile: "/tls/k.pem" },
    });
    expect(natsConnectionOptions(auth)).toEqual({
      user: "worker",
      pass: "s3cret",
      tls: { caFile: "/tls/ca.pem", certFile: "/tls/c.pem", keyFile: "/tls/k.pem" },
      inboxPrefix: "_INBOX.worker",
    });
    expect(natsAuthFromEnv({})).toEqual({});
    expect(natsConnectionOptions(natsAuthFromEnv({ NATS_TOKEN: "t", NATS_INBOX_PREFIX: "_INBOX.svc" }))).toEqual({
      token: "t",
      inboxPrefix: "_INBOX.svc",
    });
  });

  it("refuses half a pair or two ways at once, naming the variable", () => {
    expect(() => natsAuthFromEnv({ NATS_USER: "worker" })).toThrow(/NATS_PASSWORD/);
    expect(() => natsAuthFromEnv({ NATS_PASSWORD: "x" })).toThrow(/NATS_USER/);
    expect(() => natsAuthFromEnv({ NATS_TLS_CERT_FILE: "/c.pem" })).toThrow(/NATS_TLS_KEY_FILE/);
    expect(() => natsAuthFromEnv({ NATS_TLS_KEY_FILE: "/k.pem" })).toThrow(/NATS_TLS_CERT_FILE/);
    expect(() => natsAuthFromEnv({ NATS_USER: "a", NATS_PASSWORD: "b", NATS_TOKEN: "t" })).toThrow(/only one way[\s\S]*NATS_TOKEN/);
    expect(() => natsAuthFromEnv({ NATS_CREDS_FILE: "/a.creds", NATS_NKEY_SEED_FILE: "/seed" })).toThrow(/only one way/);
    expect(() => natsAuthFromEnv({ NATS_INBOX_PREFIX: "_INBOX.>" })).toThrow(/NATS_INBOX_PREFIX/);
  });

  it("reads an nkey seed or creds file when connecting, naming the one it cannot", () => {
    const auth = natsAuthFromEnv({ NATS_NKEY_SEED_FILE: join(tmpdir(), `no-such-seed-${newId()}`) });
    expect(auth).toEqual({ credentials: { kind: "nkey", seedFile: expect.any(String) } });
    expect(() => natsConnectionOptions(auth)).toThrow(/NATS_NKEY_SEED_FILE: cannot read/);
    const creds = join(dir, "user.creds");
    writeFileSync(creds, "-----BEGIN NATS USER JWT-----\nx\n------END NATS USER JWT------\n");
    expect(natsConnectionOptions(natsAuthFromEnv({ NATS_CREDS_FILE: creds })).authenticator).toBeTypeOf("function");
  });
});
