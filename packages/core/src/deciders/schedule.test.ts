import { describe, expect, it } from "vitest";
import { type CommandInit, createCommand, eventsFromCommand } from "../envelope.ts";
import { DomainError } from "../errors.ts";
import { nextScheduleStep, type ScheduleStep } from "../schedule/next-step.ts";
import { scheduledRunId } from "../schedule/run-id.ts";
import { type ScheduleDefinition, scheduleCommands } from "../schemas/schedule.ts";
import { type ScheduleState, scheduleDecider } from "./schedule.ts";

const ID = "sched-1";
const definition: ScheduleDefinition = {
  loadTestId: "lt-1",
  cron: "0 * * * *",
  timezone: "UTC",
  overrides: { durationSec: 60 },
  enabled: true,
  missedFire: "run-once",
  overlap: "allow",
};

type ScheduleCommandType = keyof typeof scheduleCommands;
const cmd = <T extends ScheduleCommandType>(type: T, data: CommandInit<T>["data"]) =>
  createCommand({ type, tenantId: "default", aggregate: { type: "schedule", id: ID }, data } as CommandInit<T>);

const decide = (state: ScheduleState, command: ReturnType<typeof cmd>) => scheduleDecider.decide(state, command as never);

/** Decides and folds, as the orchestrator does, with the events recorded at `at`. */
function apply(state: ScheduleState, command: ReturnType<typeof cmd>, at: string): ScheduleState {
  return eventsFromCommand(command, decide(state, command))
    .map((e) => ({ ...e, time: at }))
    .reduce(scheduleDecider.evolve, state);
}

const created = (over: Partial<ScheduleDefinition> = {}, at = "2026-01-01T09:30:00.000Z") =>
  apply(scheduleDecider.initialState, cmd("schedule.create", { ...definition, ...over }), at);

const expectError = (fn: () => unknown, code: DomainError["code"], field?: string) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe(code);
    if (field) expect((e as DomainError).field).toBe(field);
    return;
  }
  throw new Error(`expected a ${code} error`);
};

const fire = (dueAt: string, over: { missed?: number; queued?: boolean } = {}) =>
  cmd("schedule.fire", { dueAt, missed: over.missed ?? 0, queued: over.queued ?? false });

describe("schedule decider", () => {
  it("decides every schedule command of the schemas", () => {
    expect([...scheduleDecider.commands].sort()).toEqual(Object.keys(scheduleCommands).sort());
  });

  it("creates a schedule once, its definition as given (an empty placement is none)", () => {
    const state = created({ placement: {} });
    expect(state).toMatchObject({ status: "active", version: 1, definition, since: "2026-01-01T09:30:00.000Z" });
    expect(state.status === "active" && "placement" in state.definition).toBe(false);
    expectError(() => decide(state, cmd("schedule.create", definition)), "conflict", "id");
  });

  it("updates by the fields given, from then on; no change is no event; a stale version is refused", () => {
    const state = apply(
      created(),
      cmd("schedule.update", { changes: { cron: "*/15 * * * *", enabled: false } }),
      "2026-01-01T10:00:00.000Z",
    );
    expect(state).toMatchObject({
      version: 2,
      since: "2026-01-01T10:00:00.000Z",
      definition: { ...definition, cron: "*/15 * * * *", enabled: false },
    });
    expect(decide(state, cmd("schedule.update", { changes: { enabled: false } }))).toEqual([]);
    // A change of the runs' overrides or a policy does not move the instants' start.
    const policy = apply(created(), cmd("schedule.update", { changes: { overlap: "queue" } }), "2026-01-01T10:00:00.010Z");
    expect(policy).toMatchObject({ since: "2026-01-01T09:30:00.000Z", definition: { overlap: "queue" } });
    expect(decide(policy, fire("2026-01-01T10:00:00.000Z"))).toHaveLength(1);
    expectError(() => decide(state, cmd("schedule.update", { changes: {}, expectedVersion: 1 })), "precondition_failed", "If-Match");
  });

  it("deletes, after which it is not found", () => {
    const state = apply(created(), cmd("schedule.delete", {}), "2026-01-01T10:00:00.000Z");
    expect(state.status).toBe("deleted");
    expectError(() => decide(state, fire("2026-01-01T11:00:00.000Z")), "not_found");
    expectError(() => decide(state, cmd("schedule.update", { changes: {} })), "not_found");
  });

  it("fires a due instant once: the same instant or an earlier one again is nothing (never twice)", () => {
    const state = apply(created(), fire("2026-01-01T10:00:00.000Z"), "2026-01-01T10:00:00.020Z");
    expect(state).toMatchObject({
      version: 2,
      lastDueAt: "2026-01-01T10:00:00.000Z",
      lastFire: { dueAt: "2026-01-01T10:00:00.000Z", runId: scheduledRunId(ID, "2026-01-01T10:00:00.000Z"), missed: 0 },
    });
    // Another orchestrator deciding the same instant (a takeover, a retry) with a command of its own.
    expect(decide(state, fire("2026-01-01T10:00:00.000Z"))).toEqual([]);
    expect(decide(state, fire("2026-01-01T10:00:00Z"))).toEqual([]);
    expect(decide(state, cmd("schedule.skip", { dueAt: "2026-01-01T10:00:00.000Z", reason: "missed", missed: 1 }))).toEqual([]);
    expect(decide(state, fire("2026-01-01T11:00:00.000Z"))).toHaveLength(1);
  });

  it("derives the run's id from the schedule and the instant: the same for whoever fires it, another for another instant", () => {
    const a = decide(created(), fire("2026-01-01T10:00:00.000Z"));
    const b = decide(created(), fire("2026-01-01T10:00:00.000+00:00"));
    const c = decide(created(), fire("2026-01-01T11:00:00.000Z"));
    const runIdOf = (events: typeof a) => (events[0]?.type === "schedule.fired" ? events[0].data.runId : undefined);
    expect(runIdOf(a)).toBe(runIdOf(b));
    expect(runIdOf(a)).not.toBe(runIdOf(c));
    expect(runIdOf(a)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/); // a UUIDv7, time-ordered
  });

  it("refuses an instant that is not a fire time, or from before its definition, and fires none while disabled", () => {
    expectError(() => decide(created(), fire("2026-01-01T10:30:00.000Z")), "invalid", "dueAt");
    expectError(() => decide(created(), fire("2026-01-01T09:00:00.000Z")), "conflict", "dueAt");
    expectError(() => decide(created({ enabled: false }), fire("2026-01-01T10:00:00.000Z")), "conflict", "enabled");
  });

  it("queues one instant behind a live run, fires it once, and drops it on an update", () => {
    const queued = apply(
      created(),
      cmd("schedule.queue", { dueAt: "2026-01-01T10:00:00.000Z", liveRunId: "r0" }),
      "2026-01-01T10:00:00.010Z",
    );
    expect(queued).toMatchObject({ lastDueAt: "2026-01-01T10:00:00.000Z", queued: { dueAt: "2026-01-01T10:00:00.000Z", liveRunId: "r0" } });
    expectError(() => decide(queued, cmd("schedule.queue", { dueAt: "2026-01-01T11:00:00.000Z", liveRunId: "r0" })), "conflict", "queued");
    const fired = apply(queued, fire("2026-01-01T10:00:00.000Z", { queued: true }), "2026-01-01T10:20:00.000Z");
    expect(fired).toMatchObject({ lastFire: { dueAt: "2026-01-01T10:00:00.000Z", firedAt: "2026-01-01T10:20:00.000Z" } });
    expect(fired.status === "active" && fired.queued).toBeUndefined();
    expect(decide(fired, fire("2026-01-01T10:00:00.000Z", { queued: true }))).toEqual([]);
    const updated = apply(queued, cmd("schedule.update", { changes: { overlap: "skip" } }), "2026-01-01T10:05:00.000Z");
    expect(updated.status === "active" && updated.queued).toBeUndefined();
  });

  it("records once why the last fired run could not start", () => {
    const fired = apply(created(), fire("2026-01-01T10:00:00.000Z"), "2026-01-01T10:00:00.020Z");
    const runId = scheduledRunId(ID, "2026-01-01T10:00:00.000Z");
    const refused = apply(
      fired,
      cmd("schedule.record-run-refused", { dueAt: "2026-01-01T10:00:00.000Z", runId, reason: "not_found: load test not found" }),
      "2026-01-01T10:00:00.030Z",
    );
    expect(refused).toMatchObject({ refused: { runId, reason: "not_found: load test not found" } });
    expect(decide(refused, cmd("schedule.record-run-refused", { dueAt: "2026-01-01T10:00:00.000Z", runId, reason: "again" }))).toEqual([]);
    expectError(
      () => decide(refused, cmd("schedule.record-run-refused", { dueAt: "2026-01-01T10:00:00.000Z", runId: "other", reason: "x" })),
      "conflict",
      "runId",
    );
  });
});

/**
 * The scheduler's loop on a clock of the test's: it asks nextScheduleStep, does what it says
 * (decides the command; starts the run as the command handler would) and asks again, jumping
 * the clock to each `wait`. What it fired, skipped and queued is the record.
 */
function simulate(
  start: ScheduleState,
  from: string,
  until: string,
  o: { missedAfterMs?: number; runs?: Map<string, "Running" | "Completed">; lateByMs?: number } = {},
) {
  let state = start;
  let now = Date.parse(from);
  const runs = o.runs ?? new Map<string, "Running" | "Completed">();
  const steps: ScheduleStep[] = [];
  for (let i = 0; i < 1_000; i++) {
    const step = nextScheduleStep(state, { now: new Date(now), missedAfterMs: o.missedAfterMs ?? 60_000, runStatus: (id) => runs.get(id) });
    if (step.type === "idle") break;
    if (step.type === "wait") {
      if (step.until.getTime() > Date.parse(until)) break;
      now = step.until.getTime() + (o.lateByMs ?? 0);
      continue;
    }
    steps.push(step);
    const at = new Date(now).toISOString();
    if (step.type === "start") runs.set(step.runId, "Running");
    else if (step.type === "fire") state = apply(state, fire(step.dueAt, step), at);
    else if (step.type === "skip") state = apply(state, cmd("schedule.skip", step), at);
    else state = apply(state, cmd("schedule.queue", step), at);
  }
  return { state, steps, runs, fired: steps.flatMap((s) => (s.type === "fire" ? [s.dueAt] : [])) };
}

describe("the schedule's steps on a clock", () => {
  it("fires `30 2 * * *` in Europe/Berlin once a day across both DST changes of 2026", () => {
    const berlin = { cron: "30 2 * * *", timezone: "Europe/Berlin" };
    const spring = simulate(created(berlin, "2026-03-27T12:00:00.000Z"), "2026-03-27T12:00:00.000Z", "2026-03-31T12:00:00.000Z");
    expect(spring.fired).toEqual([
      "2026-03-28T01:30:00.000Z",
      "2026-03-29T01:00:00.000Z", // 02:30 does not exist that night: 03:00 CEST, the first valid time after the gap
      "2026-03-30T00:30:00.000Z",
      "2026-03-31T00:30:00.000Z",
    ]);
    const autumn = simulate(created(berlin, "2026-10-23T12:00:00.000Z"), "2026-10-23T12:00:00.000Z", "2026-10-27T12:00:00.000Z");
    expect(autumn.fired).toEqual([
      "2026-10-24T00:30:00.000Z",
      "2026-10-25T00:30:00.000Z", // 02:30 happens twice that night: once, at the first
      "2026-10-26T01:30:00.000Z",
      "2026-10-27T01:30:00.000Z",
    ]);
    // Each fire started its run, of its own id.
    expect(new Set(autumn.steps.flatMap((s) => (s.type === "start" ? [s.runId] : []))).size).toBe(4);
  });

  it("fires an instant found a little late (a takeover) as due; past missedAfterMs it was missed", () => {
    const late = simulate(created(), "2026-01-01T09:30:00.000Z", "2026-01-01T12:00:00.000Z", { lateByMs: 3_000, missedAfterMs: 5_000 });
    expect(late.fired).toEqual(["2026-01-01T10:00:00.000Z", "2026-01-01T11:00:00.000Z", "2026-01-01T12:00:00.000Z"]);
    const missed = simulate(created({ missedFire: "skip" }), "2026-01-01T09:30:00.000Z", "2026-01-01T11:00:00.000Z", {
      lateByMs: 10_000,
      missedAfterMs: 5_000,
    });
    expect(missed.fired).toEqual([]);
    expect(missed.steps).toEqual([
      { type: "skip", dueAt: "2026-01-01T10:00:00.000Z", reason: "missed", missed: 1 },
      { type: "skip", dueAt: "2026-01-01T11:00:00.000Z", reason: "missed", missed: 1 },
    ]);
  });

  describe("after an outage from 10:00 to 13:20 (instants 11, 12 and 13 passed unfired)", () => {
    const firedAt10 = () => apply(created(), fire("2026-01-01T10:00:00.000Z"), "2026-01-01T10:00:00.010Z");
    const runs = () => new Map([[scheduledRunId(ID, "2026-01-01T10:00:00.000Z"), "Completed" as const]]);

    it("run-once fires one run for them all, for the latest, then goes on", () => {
      const { steps } = simulate(firedAt10(), "2026-01-01T13:20:00.000Z", "2026-01-01T14:00:00.000Z", { runs: runs() });
      expect(steps).toEqual([
        { type: "fire", dueAt: "2026-01-01T13:00:00.000Z", missed: 2, queued: false },
        { type: "start", dueAt: "2026-01-01T13:00:00.000Z", runId: scheduledRunId(ID, "2026-01-01T13:00:00.000Z") },
        { type: "fire", dueAt: "2026-01-01T14:00:00.000Z", missed: 0, queued: false },
        { type: "start", dueAt: "2026-01-01T14:00:00.000Z", runId: scheduledRunId(ID, "2026-01-01T14:00:00.000Z") },
      ]);
    });

    it("skip records them skipped and fires none of them", () => {
      const state = apply(firedAt10(), cmd("schedule.update", { changes: { missedFire: "skip" } }), "2026-01-01T10:10:00.000Z");
      const { steps } = simulate(state, "2026-01-01T13:20:00.000Z", "2026-01-01T13:59:00.000Z", { runs: runs() });
      expect(steps).toEqual([{ type: "skip", dueAt: "2026-01-01T13:00:00.000Z", reason: "missed", missed: 3 }]);
    });

    it("skip still fires the latest when it is found on time: only those before it were missed", () => {
      const state = apply(firedAt10(), cmd("schedule.update", { changes: { missedFire: "skip" } }), "2026-01-01T10:10:00.000Z");
      const { steps } = simulate(state, "2026-01-01T13:00:02.000Z", "2026-01-01T13:59:00.000Z", { runs: runs() });
      expect(steps.slice(0, 2)).toEqual([
        { type: "skip", dueAt: "2026-01-01T12:00:00.000Z", reason: "missed", missed: 2 },
        { type: "fire", dueAt: "2026-01-01T13:00:00.000Z", missed: 0, queued: false },
      ]);
    });

    it("counts nothing missed while the schedule was disabled: enabled again, it fires from then on", () => {
      const off = apply(firedAt10(), cmd("schedule.update", { changes: { enabled: false } }), "2026-01-01T10:10:00.000Z");
      const on = apply(off, cmd("schedule.update", { changes: { enabled: true } }), "2026-01-01T13:20:00.000Z");
      const { steps } = simulate(on, "2026-01-01T13:20:00.000Z", "2026-01-01T14:00:00.000Z", { runs: runs() });
      expect(steps[0]).toEqual({ type: "fire", dueAt: "2026-01-01T14:00:00.000Z", missed: 0, queued: false });
    });
  });

  describe("while the previous run is still live", () => {
    const live = () => {
      const state = apply(created(), fire("2026-01-01T10:00:00.000Z"), "2026-01-01T10:00:00.010Z");
      return { state, runs: new Map([[scheduledRunId(ID, "2026-01-01T10:00:00.000Z"), "Running" as "Running" | "Completed"]]) };
    };
    const at11 = "2026-01-01T11:00:00.000Z";

    it("allow fires beside it", () => {
      const { state, runs } = live();
      expect(simulate(state, at11, at11, { runs }).fired).toEqual([at11]);
    });

    it("skip skips, naming the live run", () => {
      const { state, runs } = live();
      const skipping = apply(state, cmd("schedule.update", { changes: { overlap: "skip" } }), "2026-01-01T10:10:00.000Z");
      expect(simulate(skipping, at11, at11, { runs }).steps).toEqual([
        { type: "skip", dueAt: at11, reason: "overlap", missed: 1, liveRunId: scheduledRunId(ID, "2026-01-01T10:00:00.000Z") },
      ]);
    });

    it("queue holds one instant until the run ends, skips the next meanwhile, then fires the one it held", () => {
      const { state, runs } = live();
      const queueing = apply(state, cmd("schedule.update", { changes: { overlap: "queue" } }), "2026-01-01T10:10:00.000Z");
      const held = simulate(queueing, at11, "2026-01-01T12:00:00.000Z", { runs });
      const liveRunId = scheduledRunId(ID, "2026-01-01T10:00:00.000Z");
      expect(held.steps).toEqual([
        { type: "queue", dueAt: at11, liveRunId },
        { type: "skip", dueAt: "2026-01-01T12:00:00.000Z", reason: "overlap", missed: 1, liveRunId },
      ]);
      runs.set(liveRunId, "Completed");
      const after = simulate(held.state, "2026-01-01T12:10:00.000Z", "2026-01-01T12:10:00.000Z", { runs });
      expect(after.steps).toEqual([
        { type: "fire", dueAt: at11, missed: 0, queued: true },
        { type: "start", dueAt: at11, runId: scheduledRunId(ID, at11) },
      ]);
    });
  });

  it("starts a fired run that does not exist (its orchestrator died between the two), but not one refused", () => {
    const fired = apply(created(), fire("2026-01-01T10:00:00.000Z"), "2026-01-01T10:00:00.010Z");
    const runId = scheduledRunId(ID, "2026-01-01T10:00:00.000Z");
    const step = (state: ScheduleState, runs: Map<string, "Running">) =>
      nextScheduleStep(state, { now: new Date("2026-01-01T10:00:03.000Z"), missedAfterMs: 60_000, runStatus: (id) => runs.get(id) });
    expect(step(fired, new Map())).toEqual({ type: "start", dueAt: "2026-01-01T10:00:00.000Z", runId });
    expect(step(fired, new Map([[runId, "Running"]]))).toEqual({ type: "wait", until: new Date("2026-01-01T11:00:00.000Z") });
    const refused = apply(
      fired,
      cmd("schedule.record-run-refused", { dueAt: "2026-01-01T10:00:00.000Z", runId, reason: "x" }),
      "2026-01-01T10:00:00.020Z",
    );
    expect(step(refused, new Map())).toEqual({ type: "wait", until: new Date("2026-01-01T11:00:00.000Z") });
  });

  it("waits for nothing once deleted, or disabled", () => {
    const now = { now: new Date("2026-01-01T10:00:03.000Z"), missedAfterMs: 60_000, runStatus: () => undefined };
    expect(nextScheduleStep(created({ enabled: false }), now)).toEqual({ type: "idle" });
    expect(nextScheduleStep(apply(created(), cmd("schedule.delete", {}), "2026-01-01T09:40:00.000Z"), now)).toEqual({ type: "idle" });
  });
});
