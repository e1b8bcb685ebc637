import { describe, expect, it } from "vitest";
import { type CommandInit, type CommandType, createCommand, eventsFromCommand } from "../envelope.ts";
import { DomainError } from "../errors.ts";
import type { LoadTestSpec } from "../schemas/load-test.ts";
import { fold } from "./decider.ts";
import { type LoadTestState, loadTestDecider } from "./load-test.ts";

const spec: LoadTestSpec = {
  name: "checkout",
  tags: ["smoke"],
  targetUrl: "http://127.0.0.1:3000",
  requests: [{ method: "GET", path: "/" }],
  defaultUsers: 10,
  defaultSpawnRate: 5,
  defaultDurationSec: 60,
};

const aggregate = { type: "load-test" as const, id: "lt1" };
const cmd = <T extends CommandType>(type: T, data: CommandInit<T>["data"]) => createCommand({ type, tenantId: "default", aggregate, data });

/** Decides and folds, as the orchestrator does. */
function run(state: LoadTestState, command: ReturnType<typeof cmd>): LoadTestState {
  const events = eventsFromCommand(command, loadTestDecider.decide(state, command as never));
  return fold({ initialState: state, evolve: loadTestDecider.evolve }, events);
}

const expectError = (fn: () => unknown, code: DomainError["code"]) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe(code);
    return;
  }
  throw new Error(`expected a ${code} error`);
};

describe("load test decider", () => {
  const created = run(loadTestDecider.initialState, cmd("load-test.create", { spec }));

  it("creates a load test at version 1", () => {
    expect(created).toMatchObject({ status: "active", version: 1, spec });
  });

  it("refuses to create twice", () => {
    expectError(() => loadTestDecider.decide(created, cmd("load-test.create", { spec }) as never), "conflict");
  });

  it("updates with the right expected version, or none", () => {
    const updated = run(created, cmd("load-test.update", { spec: { ...spec, name: "new" }, expectedVersion: 1 }));
    expect(updated).toMatchObject({ version: 2, spec: { name: "new" } });
    expect(run(updated, cmd("load-test.update", { spec })).version).toBe(3);
  });

  it("refuses a stale expected version with precondition_failed", () => {
    expectError(
      () => loadTestDecider.decide(created, cmd("load-test.update", { spec, expectedVersion: 7 }) as never),
      "precondition_failed",
    );
    expectError(() => loadTestDecider.decide(created, cmd("load-test.delete", { expectedVersion: 0 }) as never), "precondition_failed");
  });

  it("deletes, after which the test is not found", () => {
    const deleted = run(created, cmd("load-test.delete", {}));
    expect(deleted.status).toBe("deleted");
    expectError(() => loadTestDecider.decide(deleted, cmd("load-test.update", { spec }) as never), "not_found");
    expectError(() => loadTestDecider.decide(deleted, cmd("load-test.delete", {}) as never), "not_found");
    expectError(() => loadTestDecider.decide(deleted, cmd("load-test.create", { spec }) as never), "conflict");
  });

  it("cannot update or delete what does not exist", () => {
    expectError(() => loadTestDecider.decide(loadTestDecider.initialState, cmd("load-test.update", { spec }) as never), "not_found");
    expectError(() => loadTestDecider.decide(loadTestDecider.initialState, cmd("load-test.delete", {}) as never), "not_found");
  });
});
