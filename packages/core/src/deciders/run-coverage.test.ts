import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type CommandEnvelope,
  type CommandInit,
  type CommandType,
  createCommand,
  type EventEnvelope,
  type EventOf,
  eventsFromCommand,
  parseEvent,
} from "../envelope.ts";
import { fold } from "./decider.ts";
import { lastHeardOf, type RunState, runDecider, START_LEAD_MS } from "./run.ts";
import { runCoverage } from "./run-coverage.ts";

/**
 * Timelines of a 15 s run on three lanes (w1: 0 and 1, w2: 2), on a clock the test sets: each
 * command is decided, and its events stamped, at the second given. The run starts at 0 s.
 */
const T0 = Date.parse("2026-01-01T10:00:00.000Z");
const iso = (sec: number) => new Date(T0 + sec * 1000).toISOString();
const aggregate = { type: "run" as const, id: "r1" };
const target = { targetUrl: "http://127.0.0.1:3000", requests: [{ method: "GET" as const, path: "/" }] };
const share = (workerId: string, lanes: number[]) => ({ workerId, lanes, vus: lanes.length, arrivalRate: 0 });

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

const PLAN = [share("w1", [0, 1]), share("w2", [2])];

/** A run's record as the orchestrator keeps it: every event stored, the state folded from them. */
function timeline(laneCount = 3, plan = PLAN) {
  const events: EventEnvelope[] = [];
  const state = () => fold(runDecider, events);
  const at = <T extends CommandType>(sec: number, type: T, data: CommandInit<T>["data"]) => {
    vi.setSystemTime(T0 + sec * 1000);
    const command = createCommand({ type, tenantId: "default", aggregate, data } as CommandInit<T>) as CommandEnvelope;
    events.push(...eventsFromCommand(command, runDecider.decide(state(), command as never)));
    return t;
  };
  const t = {
    at,
    state,
    events,
    lost: (sec: number, workerId: string, lastSeenSec: number, assignments: ReturnType<typeof share>[] = []) =>
      at(sec, "run.reassign", { lostWorkerId: workerId, lastSeenAt: iso(lastSeenSec), assignments }),
    stopped: (sec: number, workerId: string) => at(sec, "run.report-worker-stopped", { workerId, requests: 1, failures: 0 }),
    /** What the load ended with (run.analyzing): Completed or Cancelled carry it on once analysed. */
    completed: (): EventOf<"run.analyzing">["data"] | undefined =>
      events.findLast((e): e is EventOf<"run.analyzing"> => e.type === "run.analyzing")?.data,
  };
  at(-5, "run.create", { loadTestId: "lt1", targetUsers: 3, spawnRate: 3, durationSec: 15, target });
  at(-4, "run.assign", { laneCount, assignments: plan });
  return t;
}

/** ...assigned, every worker ready: started at 0 s. */
function running(laneCount = 3, plan = PLAN) {
  const t = timeline(laneCount, plan);
  for (const s of plan) t.at(-START_LEAD_MS / 1000, "run.report-worker-ready", { workerId: s.workerId });
  expect(t.state().startedAt).toBe(iso(0));
  return t;
}

describe("how much of its planned load a run ran", () => {
  it("all of it when no lane went unheld: completed, not degraded", () => {
    const t = running().at(15, "run.stop", { reason: "duration" }).stopped(15.2, "w1").stopped(15.3, "w2");
    expect(t.completed()).toEqual({ finishedAt: iso(15.3), coverage: 1, degraded: false });
  });

  it("a worker lost and its lane taken over 2 s after it was last heard from: degraded by those 2 s", () => {
    const t = running()
      .lost(7, "w2", 5, [share("w1", [2])])
      .at(15, "run.stop", { reason: "duration" })
      .stopped(15.2, "w1");
    expect(t.completed()).toEqual({
      finishedAt: iso(15.2),
      coverage: Math.floor((43 / 45) * 10_000) / 10_000,
      degraded: true,
      reason: "lane 2 of 3 was not run for 2.0 s of 15.0 s: worker w2 was last heard from 00:05.0 into the run, and w1 took it at 00:07.0",
    });
  });

  it("a worker lost and its lanes never taken over: not run from its last heartbeat to the end", () => {
    const t = running().lost(8, "w2", 5).at(15, "run.stop", { reason: "duration" }).stopped(15.2, "w1");
    expect(t.completed()).toMatchObject({
      coverage: Math.floor((35 / 45) * 10_000) / 10_000,
      degraded: true,
      reason:
        "lane 2 of 3 was not run for 10.0 s of 15.0 s: worker w2 was last heard from 00:05.0 into the run, and nobody took it before the end",
    });
  });

  it("lanes taken late by a worker that joined: the gap runs until it took them", () => {
    const t = running()
      .lost(8, "w1", 5)
      .at(12, "run.reassign-unheld", { assignments: [{ ...share("w3", [0, 1]), replaces: "w1" }] })
      .at(15, "run.stop", { reason: "duration" })
      .stopped(15.1, "w2")
      .stopped(15.2, "w3");
    expect(t.completed()).toMatchObject({
      coverage: Math.floor(((45 - 2 * 7) / 45) * 10_000) / 10_000,
      degraded: true,
      reason:
        "lanes 0, 1 of 3 were not run for 7.0 s of 15.0 s: worker w1 was last heard from 00:05.0 into the run, and w3 took them at 00:12.0",
    });
  });

  it("a worker lost before the run started, its lanes taken over before it did: the run ran whole", () => {
    const t = timeline()
      .lost(-3, "w2", -3.5, [share("w3", [2])])
      .at(-START_LEAD_MS / 1000 - 0.1, "run.report-worker-ready", { workerId: "w1" })
      .at(-START_LEAD_MS / 1000, "run.report-worker-ready", { workerId: "w3" });
    expect(t.state().startedAt).toBe(iso(0));
    t.at(15, "run.stop", { reason: "duration" }).stopped(15.1, "w1").stopped(15.2, "w3");
    expect(t.completed()).toMatchObject({ coverage: 1, degraded: false });
    expect(t.completed()?.reason).toBeUndefined();
  });

  it("a worker whose clock is behind sets the start before its lanes were assigned: lanes assigned before the start still count from it", () => {
    const t = timeline(1, [share("w1", [0])]);
    vi.setSystemTime(T0);
    const behind = { ...createCommand({ type: "run.report-worker-ready", tenantId: "default", aggregate, data: { workerId: "w1" } }) };
    behind.time = iso(-10 - START_LEAD_MS / 1000); // its clock 10 s behind the orchestrator's, which assigned it at -4 s
    t.events.push(...eventsFromCommand(behind, runDecider.decide(t.state(), behind)));
    expect(t.state().startedAt).toBe(iso(-10));
    t.at(5, "run.stop", { reason: "duration" }).stopped(5.1, "w1");
    expect(t.completed()).toMatchObject({ coverage: 1, degraded: false });
  });

  it("the orchestrator back after the due end, its only worker long gone: only what ran before the worker fell silent counts", () => {
    // The worker's last heartbeat at 5 s; the orchestrator, down from 6 s, is back at 40 s: it
    // stops the run at once and declares the worker lost 3 s later.
    const t = running(2, [share("w1", [0, 1])])
      .at(40, "run.stop", { reason: "duration" })
      .lost(43, "w1", 5);
    expect(t.state().status).toBe("Analyzing");
    expect(t.completed()).toEqual({
      finishedAt: iso(43),
      coverage: Math.floor((5 / 15) * 10_000) / 10_000,
      degraded: true,
      reason:
        "lanes 0, 1 of 2 were not run for 10.0 s of 15.0 s: worker w1 was last heard from 00:05.0 into the run, and nobody took them before the end",
    });
  });

  it("the orchestrator back after the due end, its worker alive all along: a late stop is no gap", () => {
    const t = running(2, [share("w1", [0, 1])])
      .at(40, "run.stop", { reason: "duration" })
      .stopped(40.5, "w1");
    expect(t.completed()).toMatchObject({ coverage: 1, degraded: false });
  });

  it("a stop asked for early shortens what was planned: only the gap before it counts", () => {
    const t = running().at(6, "run.stop", { reason: "requested" }).lost(8, "w2", 5).stopped(8.2, "w1");
    expect(t.completed()).toMatchObject({
      coverage: Math.floor((17 / 18) * 10_000) / 10_000,
      degraded: true,
      reason: expect.stringMatching(/^lane 2 of 3 was not run for 1\.0 s of 6\.0 s: /),
    });
  });

  it("a run stopped before it started records no coverage: it planned to run nothing yet", () => {
    const t = timeline().at(-2, "run.stop", { reason: "requested" }).stopped(-1.9, "w1").stopped(-1.8, "w2");
    expect(t.completed()).toEqual({ finishedAt: iso(-1.8) });
  });

  it("names the gaps earliest first, and counts those past the first ten rather than make an event of megabytes", () => {
    const workers = Array.from({ length: 12 }, (_, i) => share(`w${i}`, [i]));
    const t = running(12, workers);
    for (let i = 11; i >= 0; i--) t.lost(5, `w${i}`, 1 + i * 0.1);
    t.at(15, "run.stop", { reason: "duration" });
    const reason = t.completed()!.reason!;
    const parts = reason.split("; ");
    expect(parts).toHaveLength(11);
    expect(parts[0]).toMatch(/^lane 0 of 12 was not run for 14\.0 s of 15\.0 s: worker w0 was last heard from 00:01\.0 into the run/);
    expect(parts[9]).toMatch(/^lane 9 of 12 .* worker w9 was last heard from 00:01\.9 into/);
    expect(parts[10]).toBe("and 2 more such gaps");
  });

  it("is the same when worked out again from the stored events: a replay gives the same answer", () => {
    const t = running()
      .lost(7, "w2", 5, [share("w1", [2])])
      .at(15, "run.stop", { reason: "duration" })
      .stopped(15.2, "w1");
    const stored = t.events.map((e) => parseEvent(JSON.parse(JSON.stringify(e))));
    const beforeCompletion = fold(runDecider, stored.slice(0, -1)) as RunState;
    const { finishedAt, ...recorded } = t.completed()!;
    expect(runCoverage(beforeCompletion, finishedAt)).toEqual(recorded);
  });

  it("reads a run.completed recorded before coverage was: no coverage, nothing invented", () => {
    const [old] = eventsFromCommand(createCommand({ type: "run.stop", tenantId: "default", aggregate, data: { reason: "duration" } }), [
      { type: "run.completed", data: { finishedAt: iso(15) } },
    ]);
    expect(parseEvent(JSON.parse(JSON.stringify(old))).data).toEqual({ finishedAt: iso(15) });
  });

  it("knows when the run last had word of each worker: its latest assignment", () => {
    const t = running().lost(7, "w2", 5, [share("w1", [2])]);
    expect(lastHeardOf(t.state(), "w1")).toBe(iso(7));
    expect(lastHeardOf(timeline().state(), "w2")).toBe(iso(-4));
    expect(lastHeardOf(t.state(), "w2")).toBeUndefined(); // lost: no longer in the run
  });
});
