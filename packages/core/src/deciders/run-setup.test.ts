import { describe, expect, it } from "vitest";
import { type CommandInit, type CommandType, createCommand, eventsFromCommand, type NewEvent } from "../envelope.ts";
import { DomainError } from "../errors.ts";
import { fold } from "./decider.ts";
import { type RunState, runDecider } from "./run.ts";

/** A run with a setup starts only once its setup is recorded: every worker ready is not enough. */
const aggregate = { type: "run" as const, id: "r1" };
const cmd = <T extends CommandType>(type: T, data: CommandInit<T>["data"]) => createCommand({ type, tenantId: "default", aggregate, data });
const signIn = { type: "request" as const, method: "POST" as const, url: "/login", timeoutMs: 5000, checks: [], extract: [] };
const target = (withSetup: boolean) => ({
  targetUrl: "http://127.0.0.1:3000",
  requests: [{ method: "GET" as const, path: "/" }],
  ...(withSetup ? { setup: { steps: [signIn] } } : {}),
});
const created = (withSetup: boolean) => ({ loadTestId: "lt1", targetUsers: 2, spawnRate: 2, durationSec: 5, target: target(withSetup) });
const plan = {
  laneCount: 2,
  assignments: [
    { workerId: "w1", lanes: [0], vus: 1, arrivalRate: 0 },
    { workerId: "w2", lanes: [1], vus: 1, arrivalRate: 0 },
  ],
};
const setUp = (workerId = "w1") =>
  cmd("run.report-setup", {
    workerId,
    values: { token: "v1:k1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA:dG9r" },
    requests: [{ name: "/login", method: "POST", status: 200, durationMs: 3.2, failure: null }],
  });
const decide = (state: RunState, command: ReturnType<typeof cmd>) => runDecider.decide(state, command as never);
const apply = (state: RunState, command: ReturnType<typeof cmd>) =>
  fold({ initialState: state, evolve: runDecider.evolve }, eventsFromCommand(command, decide(state, command)));
const applyAll = (state: RunState, ...commands: ReturnType<typeof cmd>[]) => commands.reduce(apply, state);
const types = (events: NewEvent[]) => events.map((e) => e.type);
const allReady = cmd("run.record-workers-ready", { workerIds: ["w1", "w2"] });
const starting = (withSetup: boolean) => applyAll(runDecider.initialState, cmd("run.create", created(withSetup)), cmd("run.assign", plan));

describe("a run's setup", () => {
  it("holds the start until the setup is recorded, then starts with the last of the two", () => {
    const ready = apply(starting(true), allReady);
    expect(ready.status).toBe("Starting");
    expect(types(decide(ready, setUp()))).toEqual(["run.setup-completed", "run.started"]);
    const setUpFirst = apply(starting(true), setUp());
    expect(setUpFirst.status).toBe("Starting");
    expect(setUpFirst.setupValues).toEqual({ token: expect.stringMatching(/^v1:/) });
    expect(types(decide(setUpFirst, allReady))).toEqual(["run.workers-ready", "run.started"]);
  });

  it("records the setup once, from a worker of the run, only while it starts", () => {
    const setUpOnce = apply(starting(true), setUp());
    expect(decide(setUpOnce, setUp("w2"))).toEqual([]);
    expect(() => decide(starting(true), setUp("w9"))).toThrow(DomainError);
    const running = applyAll(starting(true), setUp(), allReady);
    expect(running.status).toBe("Running");
    expect(decide(running, setUp())).toEqual([]);
  });

  it("refuses a setup report for a run without a setup, and starts that run on readiness alone", () => {
    expect(() => decide(starting(false), setUp())).toThrow(/no setup/);
    expect(types(decide(starting(false), allReady))).toEqual(["run.workers-ready", "run.started"]);
  });

  it("keeps the teardown's requests a worker reports with its stop", () => {
    const running = applyAll(starting(true), setUp(), allReady);
    const teardown = [{ name: "/logout", method: "POST", status: 204, durationMs: 1.5, failure: null }];
    const events = decide(running, cmd("run.report-worker-stopped", { workerId: "w1", requests: 10, failures: 0, teardown }));
    expect(events[0]).toMatchObject({ type: "run.worker-stopped", data: { teardown } });
  });
});
