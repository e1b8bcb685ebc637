import { describe, expect, it } from "vitest";
import { type CommandInit, type CommandType, createCommand, eventsFromCommand, type NewEvent } from "../envelope.ts";
import { DomainError } from "../errors.ts";
import { fold } from "./decider.ts";
import { RUN_TRANSITIONS, type RunState, runDecider, START_LEAD_MS, unheldLanes } from "./run.ts";

const aggregate = { type: "run" as const, id: "r1" };
const cmd = <T extends CommandType>(type: T, data: CommandInit<T>["data"]) => createCommand({ type, tenantId: "default", aggregate, data });
const created = {
  loadTestId: "lt1",
  targetUsers: 10,
  spawnRate: 5,
  durationSec: 5,
  target: { targetUrl: "http://127.0.0.1:3000", requests: [{ method: "GET" as const, path: "/" }] },
};
const share = (workerId: string, lanes: number[]) => ({ workerId, lanes, vus: lanes.length * 2, arrivalRate: 0 });
const plan = { laneCount: 3, assignments: [share("w1", [0, 1]), share("w2", [2])] };

const decide = (state: RunState, command: ReturnType<typeof cmd>) => runDecider.decide(state, command as never);
const apply = (state: RunState, command: ReturnType<typeof cmd>) =>
  fold({ initialState: state, evolve: runDecider.evolve }, eventsFromCommand(command, decide(state, command)));
const applyAll = (state: RunState, ...commands: ReturnType<typeof cmd>[]) => commands.reduce(apply, state);
const types = (events: NewEvent[]) => events.map((e) => e.type);
const ready = (workerId: string) => cmd("run.report-worker-ready", { workerId });
const stopped = (workerId: string) => cmd("run.report-worker-stopped", { workerId, requests: 1, failures: 0 });
const refusal = (state: RunState, command: ReturnType<typeof cmd>): string | undefined => {
  try {
    decide(state, command);
  } catch (e) {
    if (e instanceof DomainError) return e.code;
    throw e;
  }
  return undefined;
};

const None = runDecider.initialState;
const queue = { reason: "the tenant already has 5 runs live; it may have 5 (maxConcurrentRuns)", expiresAt: "2099-01-01T00:00:00.000Z" };
const Queued = apply(None, cmd("run.create", { ...created, queue }));
const Pending = apply(None, cmd("run.create", created));
const Starting = apply(Pending, cmd("run.assign", plan));
const Running = applyAll(Starting, ready("w1"), ready("w2"));
const Stopping = apply(Running, cmd("run.stop", { reason: "duration" }));
const Analyzing = applyAll(Stopping, stopped("w1"), stopped("w2"));
const Completed = apply(Analyzing, cmd("run.conclude", {}));
const Failed = apply(Running, cmd("run.fail", { reason: "target unreachable" }));
const Cancelled = apply(Pending, cmd("run.stop", { reason: "requested" }));
const states = { None, Queued, Pending, Starting, Running, Stopping, Analyzing, Completed, Failed, Cancelled };

type Expectation = readonly string[] | DomainError["code"];
const verdict = { verdict: "passed" as const, results: [] };
const commands = {
  create: cmd("run.create", created),
  queue: cmd("run.queue", queue),
  dequeue: cmd("run.dequeue", {}),
  assign: cmd("run.assign", plan),
  ready: ready("w1"),
  allReady: cmd("run.record-workers-ready", { workerIds: ["w1", "w2"] }),
  pause: cmd("run.pause", {}),
  resume: cmd("run.resume", {}),
  scale: cmd("run.scale", { vus: 20 }),
  stop: cmd("run.stop", { reason: "requested" }),
  stopped: cmd("run.report-worker-stopped", { workerId: "w1", requests: 3, failures: 1 }),
  verdict: cmd("run.record-verdict", verdict),
  conclude: cmd("run.conclude", {}),
  fail: cmd("run.fail", { reason: "boom" }),
};

const over = { create: "conflict", queue: "conflict", dequeue: [], assign: "conflict", ready: [], allReady: [] } as const;
const ended = {
  ...over,
  pause: "conflict",
  resume: "conflict",
  scale: "conflict",
  stop: "conflict",
  stopped: [],
  verdict: ["run.verdict-recorded"],
  conclude: [],
  fail: "conflict",
} as const;
/** Every command in every status: the events it gives, or the error it is refused with. */
const table: Record<keyof typeof states, Record<keyof typeof commands, Expectation>> = {
  None: {
    create: ["run.created"],
    queue: "not_found",
    dequeue: [],
    assign: "not_found",
    ready: [],
    allReady: [],
    pause: "not_found",
    resume: "not_found",
    scale: "not_found",
    stop: "not_found",
    stopped: "not_found",
    verdict: [],
    conclude: [],
    fail: "not_found",
  },
  Queued: {
    ...over,
    queue: [],
    dequeue: ["run.dequeued"],
    pause: "conflict",
    resume: "conflict",
    scale: "conflict",
    stop: ["run.cancelled"],
    stopped: "invalid",
    verdict: [],
    conclude: [],
    fail: ["run.failed"],
  },
  Pending: {
    ...over,
    queue: ["run.queued"],
    assign: ["run.worker-assigned", "run.worker-assigned"],
    pause: "conflict",
    resume: "conflict",
    scale: "conflict",
    stop: ["run.cancelled"],
    stopped: "invalid",
    verdict: [],
    conclude: [],
    fail: ["run.failed"],
  },
  Starting: {
    ...over,
    ready: ["run.workers-ready"],
    allReady: ["run.workers-ready", "run.started"],
    pause: "conflict",
    resume: "conflict",
    scale: "conflict",
    stop: ["run.stopping"],
    stopped: ["run.worker-stopped"],
    verdict: [],
    conclude: [],
    fail: ["run.failed"],
  },
  Running: {
    ...over,
    pause: ["run.paused"],
    resume: [],
    scale: ["run.scaled"],
    stop: ["run.stopping"],
    stopped: ["run.worker-stopped"],
    verdict: [],
    conclude: [],
    fail: ["run.failed"],
  },
  Stopping: {
    ...over,
    pause: "conflict",
    resume: "conflict",
    scale: "conflict",
    stop: [],
    stopped: ["run.worker-stopped"],
    verdict: [],
    conclude: [],
    fail: ["run.failed"],
  },
  Analyzing: {
    ...over,
    pause: "conflict",
    resume: "conflict",
    scale: "conflict",
    stop: [],
    stopped: [],
    verdict: ["run.verdict-recorded", "run.completed"],
    conclude: ["run.completed"],
    fail: ["run.failed"],
  },
  Completed: ended,
  Failed: ended,
  Cancelled: ended,
};

describe("run decider", () => {
  it("records the run's env in run.created, as its start gave it", () => {
    const env = { BASE_URL: "http://127.0.0.1:3000" };
    expect(decide(None, cmd("run.create", { ...created, env }))).toEqual([{ type: "run.created", data: { ...created, env } }]);
  });

  it("reaches every status through its legal path", () => {
    for (const [status, state] of Object.entries(states)) expect(state.status).toBe(status);
    expect(states.Running.startedAt).toBeDefined();
    expect(states.Completed.finishedAt).toBeDefined();
  });

  for (const [status, row] of Object.entries(table) as [keyof typeof states, Record<string, Expectation>][]) {
    for (const [name, expected] of Object.entries(row)) {
      it(`${status} + ${name} -> ${Array.isArray(expected) ? `[${expected.join(", ")}]` : expected}`, () => {
        const command = commands[name as keyof typeof commands];
        if (Array.isArray(expected)) expect(types(decide(states[status], command))).toEqual(expected);
        else expect(refusal(states[status], command)).toBe(expected);
      });
    }
  }

  it("changes status only along the drawn transitions: every command in every status", () => {
    for (const state of Object.values(states))
      for (const command of Object.values(commands)) {
        if (refusal(state, command) !== undefined) continue;
        const after = apply(state, command).status;
        if (after !== state.status) expect(RUN_TRANSITIONS[state.status]).toContain(after);
      }
  });

  it("refuses an event the machine does not draw, whatever the step decided", () => {
    // Completed has no way out: a late failure is refused, not recorded over the verdict.
    expect(refusal(Completed, cmd("run.fail", { reason: "late" }))).toBe("conflict");
    expect(RUN_TRANSITIONS.Completed).toEqual([]);
  });

  it("ends a run stopped at its duration Completed, and one a user stopped early Cancelled, with who and how long", () => {
    expect(Completed.status).toBe("Completed");
    const stopper = createCommand({ type: "run.stop", tenantId: "default", aggregate, data: { reason: "requested" }, actor: "key:k1" });
    const stoppedEarly = applyAll(apply(Running, stopper), stopped("w1"), stopped("w2"));
    expect(stoppedEarly.status).toBe("Analyzing");
    const events = decide(stoppedEarly, cmd("run.record-verdict", verdict));
    expect(types(events)).toEqual(["run.verdict-recorded", "run.cancelled"]);
    expect(events[1]?.data).toMatchObject({ cancelledBy: "key:k1", reason: expect.stringContaining("key:k1") });
    expect((events[1]!.data as { ranSec: number }).ranSec).toBeGreaterThanOrEqual(0);
    // Stopped by a threshold's abort: judged, not cancelled.
    const aborted = applyAll(apply(Running, cmd("run.stop", { reason: "threshold" })), stopped("w1"), stopped("w2"));
    expect(types(decide(aborted, cmd("run.conclude", {})))).toEqual(["run.completed"]);
  });

  it("cancels a queued or unassigned run at once, saying who and that nothing ran", () => {
    const stopper = createCommand({ type: "run.stop", tenantId: "default", aggregate, data: { reason: "requested" }, actor: "key:k2" });
    for (const state of [Queued, Pending])
      expect(decide(state, stopper)).toEqual([
        { type: "run.cancelled", data: expect.objectContaining({ cancelledBy: "key:k2", ranSec: 0 }) },
      ]);
  });

  it("pauses and resumes once each, and scales as factors of the planned peak", () => {
    const paused = apply(Running, commands.pause);
    expect(paused.pausedAt).toBeDefined();
    expect(decide(paused, commands.pause)).toEqual([]);
    const resumed = apply(paused, commands.resume);
    expect(resumed.pausedAt).toBeUndefined();
    // Planned: 10 VUs (targetUsers); 20 asked: twice as many.
    expect(apply(Running, cmd("run.scale", { vus: 20 })).vuFactor).toBe(2);
    expect(apply(Running, cmd("run.scale", { vus: 5 })).vuFactor).toBe(0.5);
    // No open-model executor in this run: a rate cannot be scaled.
    expect(refusal(Running, cmd("run.scale", { rate: 100 }))).toBe("invalid");
  });

  it("queues and dequeues: Queued, then Pending to be planned", () => {
    expect(Queued.queueExpiresAt).toBe(queue.expiresAt);
    expect(apply(Queued, commands.dequeue).status).toBe("Pending");
    expect(apply(Pending, commands.queue).status).toBe("Queued");
  });

  it("records one assignment event per worker, with its lanes of the run", () => {
    const events = decide(Pending, cmd("run.assign", plan));
    expect(events.map((e) => e.data)).toEqual([
      { ...share("w1", [0, 1]), laneCount: 3, reason: "plan" },
      { ...share("w2", [2]), laneCount: 3, reason: "plan" },
    ]);
    expect(Starting.shares).toMatchObject({ w1: { lanes: [0, 1] }, w2: { lanes: [2] } });
  });

  it("refuses a plan whose lanes do not cut the run exactly", () => {
    expect(refusal(Pending, cmd("run.assign", { laneCount: 3, assignments: [share("w1", [0, 1])] }))).toBe("invalid");
    expect(refusal(Pending, cmd("run.assign", { laneCount: 2, assignments: [share("w1", [0, 1]), share("w2", [1])] }))).toBe("invalid");
    expect(refusal(Pending, cmd("run.assign", { laneCount: 2, assignments: [share("w1", [0]), share("w1", [1])] }))).toBe("invalid");
  });

  it("starts every worker at one agreed instant, once the last of them is ready", () => {
    const oneReady = apply(Starting, ready("w1"));
    expect(oneReady.status).toBe("Starting");
    const last = ready("w2");
    const events = decide(oneReady, last);
    expect(types(events)).toEqual(["run.workers-ready", "run.started"]);
    expect(events[1]!.data).toEqual({ startedAt: new Date(Date.parse(last.time) + START_LEAD_MS).toISOString() });
  });

  it("records the reports that arrived together in one event, without the repeated or lost ones", () => {
    const oneReady = apply(Starting, ready("w1"));
    const together = cmd("run.record-workers-ready", { workerIds: ["w1", "w2", "w2"] });
    const events = decide(oneReady, together);
    expect(events).toEqual([
      { type: "run.workers-ready", data: { workerIds: ["w2"] } },
      { type: "run.started", data: { startedAt: new Date(Date.parse(together.time) + START_LEAD_MS).toISOString() } },
    ]);
    expect(decide(apply(oneReady, together), together)).toEqual([]);
    expect(refusal(Starting, cmd("run.record-workers-ready", { workerIds: ["w1", "w9"] }))).toBe("invalid");
  });

  it("completes when the last worker has stopped, even while still Running", () => {
    const oneStopped = apply(Running, stopped("w1"));
    expect(oneStopped.status).toBe("Running");
    expect(types(decide(oneStopped, stopped("w2")))).toEqual(["run.worker-stopped", "run.analyzing"]);
  });

  it("ignores a repeated report, and refuses one from a worker without a share", () => {
    expect(decide(apply(Stopping, commands.stopped), commands.stopped)).toEqual([]);
    expect(refusal(Starting, ready("stranger"))).toBe("invalid");
    expect(refusal(Running, stopped("stranger"))).toBe("invalid");
  });

  describe("a lost worker", () => {
    const lose = (assignments: ReturnType<typeof share>[]) =>
      cmd("run.reassign", { lostWorkerId: "w1", lastSeenAt: "2026-01-01T00:00:00.000Z", assignments });

    it("hands its lanes to others and records the gap", () => {
      const events = decide(Running, lose([share("w2", [0]), share("w3", [1])]));
      expect(types(events)).toEqual(["run.worker-lost", "run.worker-assigned", "run.worker-assigned"]);
      expect(events[0]!.data).toMatchObject({ workerId: "w1", lastSeenAt: "2026-01-01T00:00:00.000Z", lanes: [0, 1] });
      expect(events[1]!.data).toMatchObject({ workerId: "w2", lanes: [0], reason: "reassigned", replaces: "w1" });
      const after = apply(Running, lose([share("w2", [0]), share("w3", [1])]));
      expect(after.shares).toMatchObject({ w2: { lanes: [2, 0] }, w3: { lanes: [1] } });
      expect(Object.keys(after.shares).sort()).toEqual(["w2", "w3"]);
      expect(after.lostWorkers.map((l) => l.workerId)).toEqual(["w1"]);
    });

    it("is not heard from again: its reports change nothing, and it cannot take a share back", () => {
      const after = apply(Running, lose([share("w2", [0, 1])]));
      expect(decide(after, stopped("w1"))).toEqual([]);
      expect(decide(apply(Starting, lose([share("w2", [0, 1])])), ready("w1"))).toEqual([]);
      expect(
        refusal(
          after,
          cmd("run.reassign", { lostWorkerId: "w2", lastSeenAt: "2026-01-01T00:00:00.000Z", assignments: [share("w1", [0, 1, 2])] }),
        ),
      ).toBe("invalid");
      expect(decide(after, lose([share("w2", [0, 1])]))).toEqual([]); // handled already
    });

    it("gives out only its lanes, each once", () => {
      expect(refusal(Running, lose([share("w2", [0, 2])]))).toBe("invalid");
      expect(refusal(Running, lose([share("w2", [0]), share("w3", [0])]))).toBe("invalid");
    });

    it("leaves the lanes nobody could take unheld: the run goes on without them, and says whose they were", () => {
      expect(types(decide(Running, lose([])))).toEqual(["run.worker-lost"]);
      const partly = apply(Running, lose([share("w2", [0])]));
      expect(partly.status).toBe("Running");
      expect(partly.shares).toMatchObject({ w2: { lanes: [2, 0] } });
      expect(unheldLanes(partly)).toEqual([{ lane: 1, lostWorker: expect.objectContaining({ workerId: "w1", lanes: [0, 1] }) }]);
      expect(unheldLanes(Running)).toEqual([]);
    });

    it("does not complete while lanes are unheld: their work is still to do; stopping, it completes without them", () => {
      const w2Done = apply(apply(Running, stopped("w2")), lose([]));
      expect(w2Done.status).toBe("Running");
      expect(types(decide(w2Done, cmd("run.stop", { reason: "duration" })))).toEqual(["run.stopping", "run.analyzing"]);
      // Every worker lost: nobody is left to confirm the stop, so it completes at once.
      const nobody = apply(
        apply(Running, lose([])),
        cmd("run.reassign", { lostWorkerId: "w2", lastSeenAt: "2026-01-01T00:00:00.000Z", assignments: [] }),
      );
      expect(nobody.shares).toEqual({});
      expect(types(decide(nobody, cmd("run.stop", { reason: "duration" })))).toEqual(["run.stopping", "run.analyzing"]);
    });

    it("while Starting with lanes unheld: the run does not start, however ready the rest are", () => {
      const lanesOpen = apply(Starting, lose([]));
      expect(types(decide(lanesOpen, ready("w2")))).toEqual(["run.workers-ready"]);
    });

    it("while Starting: the run starts once the workers left are ready", () => {
      const w2Ready = apply(Starting, ready("w2"));
      expect(types(decide(w2Ready, lose([share("w2", [0, 1])])))).toEqual(["run.worker-lost", "run.worker-assigned", "run.started"]);
      expect(types(decide(w2Ready, lose([share("w3", [0, 1])])))).toEqual(["run.worker-lost", "run.worker-assigned"]);
    });

    it("while Stopping: no reassignment, and the run completes without it", () => {
      const w2Stopped = apply(Stopping, stopped("w2"));
      expect(types(decide(w2Stopped, lose([])))).toEqual(["run.worker-lost", "run.analyzing"]);
    });
  });

  describe("lanes nobody holds", () => {
    const lastSeenAt = "2026-01-01T00:00:00.000Z";
    const lose = (workerId: string, assignments: ReturnType<typeof share>[] = []) =>
      cmd("run.reassign", { lostWorkerId: workerId, lastSeenAt, assignments });
    const take = (...assignments: (ReturnType<typeof share> & { replaces: string })[]) => cmd("run.reassign-unheld", { assignments });
    const from = (replaces: string, s: ReturnType<typeof share>) => ({ ...s, replaces });
    /** w1 (lanes 0, 1) lost, nobody had room. */
    const open = apply(Running, lose("w1"));

    it("go to a worker that can take them, as a reassignment of the lost worker's lanes", () => {
      const events = decide(open, take(from("w1", share("w3", [0, 1]))));
      expect(events.map((e) => [e.type, e.data])).toEqual([
        ["run.worker-assigned", { ...share("w3", [0, 1]), laneCount: 3, reason: "reassigned", replaces: "w1" }],
      ]);
      const after = apply(open, take(from("w1", share("w3", [0, 1]))));
      expect(unheldLanes(after)).toEqual([]);
      expect(after.shares).toMatchObject({ w2: { lanes: [2] }, w3: { lanes: [0, 1] } });
    });

    it("may go out in parts, each naming the lost worker that held them", () => {
      const both = apply(apply(Running, lose("w1")), lose("w2"));
      expect(unheldLanes(both).map((u) => [u.lane, u.lostWorker.workerId])).toEqual([
        [0, "w1"],
        [1, "w1"],
        [2, "w2"],
      ]);
      const one = apply(both, take(from("w1", share("w3", [1])), from("w2", share("w3", [2]))));
      expect(one.shares).toMatchObject({ w3: { lanes: [1, 2] } });
      expect(unheldLanes(one).map((u) => u.lane)).toEqual([0]);
      expect(refusal(both, take(from("w2", share("w3", [0]))))).toBe("invalid"); // lane 0 was w1's
    });

    it("start the run once they are held and their new worker is ready", () => {
      const lanesOpen = apply(apply(Starting, ready("w2")), lose("w1"));
      const taken = apply(lanesOpen, take(from("w1", share("w3", [0, 1]))));
      expect(taken.status).toBe("Starting");
      expect(types(decide(taken, ready("w3")))).toEqual(["run.workers-ready", "run.started"]);
    });

    it("are refused when held already, given twice, out of range, to a worker the run lost, or when the run is not under way", () => {
      expect(refusal(Running, take(from("w1", share("w3", [0]))))).toBe("conflict");
      expect(refusal(open, take(from("w1", share("w3", [0])), from("w1", share("w4", [0]))))).toBe("invalid");
      expect(refusal(open, take(from("w1", share("w3", [7]))))).toBe("invalid");
      expect(refusal(open, take(from("w1", share("w1", [0, 1]))))).toBe("invalid");
      expect(refusal(Pending, take(from("w1", share("w3", [0]))))).toBe("conflict");
      expect(refusal(Failed, take(from("w1", share("w3", [0]))))).toBe("conflict");
      expect(decide(apply(open, cmd("run.stop", { reason: "requested" })), take(from("w1", share("w3", [0, 1]))))).toEqual([]);
    });
  });

  it("records each stage once, in order, while running", () => {
    const stage = (n: number) => cmd("run.record-stage", { workload: 0, stage: n, target: 10 });
    const first = apply(Running, stage(1));
    expect(types(decide(Running, stage(1)))).toEqual(["run.stage-started"]);
    expect(decide(first, stage(1))).toEqual([]);
    expect(decide(first, stage(0))).toEqual([]);
    expect(types(decide(first, stage(2)))).toEqual(["run.stage-started"]);
    expect(decide(Stopping, stage(3))).toEqual([]);
  });
});
