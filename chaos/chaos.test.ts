// The chaos suite (npm run chaos): each scenario breaks one thing mid-run, on real processes,
// then checks that the run reached its proper end, that the target received what the run
// counted (give or take what was in flight), and that nothing acknowledged went missing.
import { type RunState, sleep } from "@loadline/core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { Stage, type StageOptions, WORKERS } from "./harness.ts";

const VUS = 12;
const DURATION_SEC = 12;
/** When the fault strikes, after the run's start. */
const FAULT_AT_MS = 4_000;

let stage: Stage | undefined;
afterEach(async () => {
  await stage?.stop();
  stage = undefined;
});

/** One row per scenario, printed at the end. */
const report: string[][] = [];
afterAll(() => {
  const head = [
    "scenario",
    "stopped after due",
    "completed after due",
    "target received",
    "run counted",
    "difference",
    "acked windows",
    "acked events",
  ];
  const lines = [head, head.map(() => "---"), ...report].map((r) => `| ${r.join(" | ")} |`);
  process.stdout.write(`\n${lines.join("\n")}\n\n`);
});

type Outcome = { runId: string; started: RunState; final: RunState; faultAt: number };

/** How late after its duration the run may be stopped: 2 s, the bound for an orchestrator's failover. */
const STOP_LATE_MS = 2_000;

/** Starts a run, strikes at FAULT_AT_MS, waits for the run to end, then checks what every scenario must hold. */
async function runThrough(
  name: string,
  o: StageOptions,
  fault: (s: Stage, runId: string) => Promise<void>,
  extraTolerance: (s: Stage, o: Outcome) => Promise<number> = async () => 0,
  stopLateMs = STOP_LATE_MS,
): Promise<Outcome> {
  stage = await Stage.start(o);
  const s = stage;
  const runId = await s.startRun(VUS, DURATION_SEC);
  const started = await s.waitFor(runId, (r) => r.status === "Running", 30_000);
  await sleep(Math.max(0, Date.parse(started.startedAt!) + FAULT_AT_MS - Date.now()));
  const faultAt = Date.now();
  await fault(s, runId);
  const final = await s.waitFor(runId, (r) => ["Completed", "Failed", "Cancelled"].includes(r.status), (DURATION_SEC + 40) * 1000);
  const outcome = { runId, started, final, faultAt };

  // 1. The run reaches its proper end: completed, stopped at its duration.
  if (final.status !== "Completed")
    throw new Error(
      `run ended ${final.status}: ${JSON.stringify((await s.runEvents(runId)).at(-1)?.data)}; lost ${JSON.stringify(final.lostWorkers)}`,
    );
  const dueAt = Date.parse(started.startedAt!) + DURATION_SEC * 1000;
  expect(Date.parse(final.stoppingAt!) - dueAt).toBeGreaterThanOrEqual(-50);
  expect(Date.parse(final.stoppingAt!) - dueAt, s.complaints()).toBeLessThan(stopLateMs);
  // Every worker heard the stop and confirmed it soon: none ran on until its own safety cap.
  expect(Date.parse(final.finishedAt!) - dueAt).toBeLessThan(10_000);

  // 2. The target received what the run counted, give or take the requests in flight.
  const windows = await s.windows(runId);
  expect(new Set(windows.map((w) => w.msgID)).size).toBe(windows.length); // each window once
  const counted = windows.reduce((n, w) => n + w.requests, 0);
  const received = s.target.received()["/fixed"] ?? 0;
  expect(counted).toBeGreaterThan(VUS * (DURATION_SEC - 2) * 10);
  expect(Math.abs(received - counted), `target ${received}, run ${counted}`).toBeLessThanOrEqual(VUS + (await extraTolerance(s, outcome)));

  // 3. No acknowledged event is missing from the streams.
  const acked = s.acknowledged();
  const ofRun = [...acked.windows].filter((id) => id.startsWith(`${runId}.`));
  expect(ofRun.length).toBeGreaterThan(0);
  const stored = new Set(windows.map((w) => w.msgID));
  expect(ofRun.filter((id) => !stored.has(id))).toEqual([]);
  const seqs = await s.eventSeqs();
  expect(acked.eventSeqs.size).toBeGreaterThan(0);
  expect([...acked.eventSeqs].filter((q) => !seqs.has(q))).toEqual([]);
  const after = (iso: string | undefined) => `${((Date.parse(iso!) - dueAt) / 1000).toFixed(2)} s`;
  report.push([
    name,
    after(final.stoppingAt),
    after(final.finishedAt),
    String(received),
    String(counted),
    String(received - counted),
    String(ofRun.length),
    String(acked.eventSeqs.size),
  ]);
  return outcome;
}

describe("chaos", () => {
  it("1. SIGKILL one worker mid-run: its lanes go to the others within 5 s, the gap is on record", async () => {
    const victim = WORKERS[1];
    const outcome = await runThrough(
      "SIGKILL a worker",
      { natsServers: 1 },
      async (s) => s.kill(victim),
      // What it sent in the second it could not publish: its last windows' rate, twice over.
      async (s, o) => {
        const own = (await s.windows(o.runId)).filter((w) => w.workerId === victim).sort((a, b) => a.second - b.second);
        return 2 * Math.max(0, ...own.slice(-3).map((w) => w.requests));
      },
    );
    const [gap] = outcome.final.lostWorkers;
    expect(gap).toMatchObject({ workerId: victim, lanes: outcome.started.shares[victim]!.lanes });
    expect(Date.parse(gap!.lostAt) - outcome.faultAt).toBeLessThan(5_000);
    const taken = Object.values(outcome.final.shares).flatMap((s) => s.lanes);
    expect(taken.sort()).toEqual([...Array(outcome.final.laneCount).keys()]); // every lane still run by someone
    const events = await stage!.runEvents(outcome.runId);
    const reassigned = events.filter((e) => e.type === "run.worker-assigned" && e.data.reason === "reassigned");
    expect(reassigned.length).toBeGreaterThan(0);
    expect(Date.parse(reassigned[0]!.time) - outcome.faultAt).toBeLessThan(5_000);
  });

  it("2. SIGKILL the orchestrator mid-run: the standby takes over and the run still ends at its duration", async () => {
    await runThrough("SIGKILL the orchestrator", { natsServers: 1, standby: true }, async (s) => s.kill("orchestrator"));
    expect(stage!.acknowledged().eventSeqs.size).toBeGreaterThan(0);
    // The standby did the stopping: it logged appending the run's last events.
    expect(
      stage!.services
        .get("standby")!
        .logs()
        .some((l) => l.msg === "orchestrator active"),
    ).toBe(true);
  });

  it("3. restart the nats-server mid-run: every service reconnects by itself", async () => {
    await runThrough("restart the nats-server", { natsServers: 1 }, async (s) => {
      const [node] = s.nats.nodes;
      await node!.kill("SIGKILL");
      await sleep(1_000);
      await node!.start();
    });
  });

  it("4. kill one node of a 3-node cluster mid-run: replicated streams lose nothing", async () => {
    await runThrough(
      "kill 1 of 3 NATS nodes",
      { natsServers: 3 },
      async (s) => {
        // Every stream and bucket is on all three nodes before one goes.
        expect(await s.replicas()).toEqual(
          Object.fromEntries([...Object.values(s.ns.streams), ...Object.values(s.ns.buckets).map((b) => `KV_${b}`)].map((n) => [n, 3])),
        );
        await s.nats.nodes[0]!.kill("SIGKILL");
      },
      undefined,
      // The streams whose leader was on the dead node elect another; seen here to take up to ~12 s,
      // during which the orchestrator's lease cannot be renewed and its appends wait.
      15_000,
    );
  });

  it("5. stop Postgres for 20 s: the run goes on, and the projections catch up", async () => {
    let restarted: Promise<void> = Promise.resolve();
    const outcome = await runThrough("stop Postgres for 20 s", { natsServers: 1, ownPostgres: true }, async (s) => {
      s.postgres.stop();
      restarted = sleep(20_000).then(() => s.postgres.start());
    });
    await restarted;
    const s = stage!;
    const counted = (await s.windows(outcome.runId)).reduce((n, w) => n + w.requests, 0);
    const deadline = Date.now() + 45_000;
    let seen = -1;
    while (Date.now() < deadline) {
      seen = await s.api.aggregate(outcome.runId).then(
        (a) => a.requests,
        () => -1,
      );
      if (seen === counted) break;
      await sleep(500);
    }
    expect(seen).toBe(counted);
    expect((await s.api.run(outcome.runId)).status).toBe("Completed");
  });
});
