import { describe, expect, it } from "vitest";
import { createCommand, eventsFromCommand, type CommandInit, type CommandType, type NewEvent } from "../envelope.ts";
import { DomainError } from "../errors.ts";
import { fold } from "./decider.ts";
import { runDecider, type RunState } from "./run.ts";

const aggregate = { type: "run" as const, id: "r1" };
const cmd = <T extends CommandType>(type: T, data: CommandInit<T>["data"]) => createCommand({ type, tenantId: "default", aggregate, data });
const created = {
  loadTestId: "lt1",
  targetUsers: 10,
  spawnRate: 5,
  durationSec: 5,
  target: { targetUrl: "http://127.0.0.1:3000", requests: [{ method: "GET" as const, path: "/" }] },
};
const assignments = [
  { workerId: "w1", users: 5, spawnRate: 2.5, fraction: 0.5 },
  { workerId: "w2", users: 5, spawnRate: 2.5, fraction: 0.5 },
];

const decide = (state: RunState, command: ReturnType<typeof cmd>) => runDecider.decide(state, command as never);
const apply = (state: RunState, command: ReturnType<typeof cmd>) =>
  fold({ initialState: state, evolve: runDecider.evolve }, eventsFromCommand(command, decide(state, command)));
const types = (events: NewEvent[]) => events.map((e) => e.type);

const None = runDecider.initialState;
const Pending = apply(None, cmd("run.create", created));
const Starting = apply(Pending, cmd("run.assign", { assignments }));
const Running = apply(apply(Starting, cmd("run.report-worker-started", { workerId: "w1" })), cmd("run.report-worker-started", { workerId: "w2" }));
const Stopping = apply(Running, cmd("run.stop", { reason: "duration" }));
const Completed = apply(
  apply(Stopping, cmd("run.report-worker-stopped", { workerId: "w1", requests: 1, failures: 0 })),
  cmd("run.report-worker-stopped", { workerId: "w2", requests: 1, failures: 0 }),
);
const Failed = apply(Running, cmd("run.fail", { reason: "target unreachable" }));
const Cancelled = apply(Pending, cmd("run.stop", { reason: "requested" }));
const states = { None, Pending, Starting, Running, Stopping, Completed, Failed, Cancelled };

type Expectation = string[] | DomainError["code"];
const commands = {
  create: cmd("run.create", created),
  assign: cmd("run.assign", { assignments }),
  started: cmd("run.report-worker-started", { workerId: "w1" }),
  stop: cmd("run.stop", { reason: "requested" }),
  stopped: cmd("run.report-worker-stopped", { workerId: "w1", requests: 3, failures: 1 }),
  fail: cmd("run.fail", { reason: "boom" }),
};

/** Every command in every state: the events it gives, or the error it is refused with. */
const table: Record<keyof typeof states, Record<keyof typeof commands, Expectation>> = {
  None: { create: ["run.created"], assign: "not_found", started: [], stop: "not_found", stopped: "not_found", fail: "not_found" },
  Pending: { create: "conflict", assign: ["run.assigned"], started: [], stop: ["run.cancelled"], stopped: "invalid", fail: ["run.failed"] },
  Starting: { create: "conflict", assign: "conflict", started: ["run.worker-started"], stop: ["run.stopping"], stopped: ["run.worker-stopped"], fail: ["run.failed"] },
  Running: { create: "conflict", assign: "conflict", started: [], stop: ["run.stopping"], stopped: ["run.worker-stopped"], fail: ["run.failed"] },
  Stopping: { create: "conflict", assign: "conflict", started: [], stop: [], stopped: ["run.worker-stopped"], fail: ["run.failed"] },
  Completed: { create: "conflict", assign: "conflict", started: [], stop: "conflict", stopped: [], fail: "conflict" },
  Failed: { create: "conflict", assign: "conflict", started: [], stop: "conflict", stopped: [], fail: "conflict" },
  Cancelled: { create: "conflict", assign: "conflict", started: [], stop: "conflict", stopped: [], fail: "conflict" },
};

describe("run decider", () => {
  it("reaches every status through its legal path", () => {
    for (const [status, state] of Object.entries(states)) expect(state.status).toBe(status);
    expect(states.Running.startedAt).toBeDefined();
    expect(states.Completed.finishedAt).toBeDefined();
  });

  for (const [status, row] of Object.entries(table) as [keyof typeof states, Record<string, Expectation>][]) {
    for (const [name, expected] of Object.entries(row)) {
      it(`${status} + ${name} -> ${Array.isArray(expected) ? `[${expected.join(", ")}]` : expected}`, () => {
        const command = commands[name as keyof typeof commands];
        if (Array.isArray(expected)) {
          expect(types(decide(states[status], command))).toEqual(expected);
        } else {
          let error: unknown;
          try {
            decide(states[status], command);
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(DomainError);
          expect((error as DomainError).code).toBe(expected);
        }
      });
    }
  }

  it("starts when the last assigned worker has started, at the command's time", () => {
    const oneStarted = apply(states.Starting, cmd("run.report-worker-started", { workerId: "w1" }));
    const last = cmd("run.report-worker-started", { workerId: "w2" });
    const events = decide(oneStarted, last);
    expect(types(events)).toEqual(["run.worker-started", "run.started"]);
    expect(events[1]!.data).toEqual({ startedAt: last.time });
  });

  it("completes when the last assigned worker has stopped, even while still Running", () => {
    const oneStopped = apply(states.Running, cmd("run.report-worker-stopped", { workerId: "w1", requests: 1, failures: 0 }));
    expect(oneStopped.status).toBe("Running");
    expect(types(decide(oneStopped, cmd("run.report-worker-stopped", { workerId: "w2", requests: 1, failures: 0 })))).toEqual([
      "run.worker-stopped",
      "run.completed",
    ]);
  });

  it("ignores a repeated report from the same worker", () => {
    const oneStopped = apply(states.Stopping, commands.stopped);
    expect(decide(oneStopped, commands.stopped)).toEqual([]);
  });

  it("refuses reports from a worker without an assignment", () => {
    expect(() => decide(states.Starting, cmd("run.report-worker-started", { workerId: "stranger" }))).toThrow(DomainError);
    expect(() => decide(states.Running, cmd("run.report-worker-stopped", { workerId: "stranger", requests: 0, failures: 0 }))).toThrow(
      DomainError,
    );
  });
});
