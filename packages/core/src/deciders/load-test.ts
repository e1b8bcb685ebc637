import { DomainError } from "../errors.ts";
import type { LoadTestSpec } from "../schemas/load-test.ts";
import type { Decider } from "./decider.ts";

export type LoadTestState =
  | { status: "none"; version: 0 }
  | { status: "active" | "deleted"; version: number; spec: LoadTestSpec; baselineRunId?: string };

type LoadTestCommand = "load-test.create" | "load-test.update" | "load-test.delete" | "load-test.set-baseline";

function assertVersion(state: LoadTestState, expected: number | undefined): void {
  if (expected !== undefined && expected !== state.version) {
    throw new DomainError("precondition_failed", `version is ${state.version}, not ${expected}`, "If-Match");
  }
}

function requireActive(state: LoadTestState): asserts state is Exclude<LoadTestState, { status: "none" }> & { status: "active" } {
  if (state.status !== "active") throw new DomainError("not_found", "load test not found");
}

export const loadTestDecider: Decider<LoadTestState, LoadTestCommand> = {
  commands: ["load-test.create", "load-test.update", "load-test.delete", "load-test.set-baseline"],
  initialState: { status: "none", version: 0 },

  decide(state, command) {
    switch (command.type) {
      case "load-test.create":
        if (state.status !== "none") throw new DomainError("conflict", "load test already exists", "id");
        return [{ type: "load-test.created", data: { spec: command.data.spec } }];
      case "load-test.update":
        requireActive(state);
        assertVersion(state, command.data.expectedVersion);
        return [{ type: "load-test.updated", data: { spec: command.data.spec } }];
      case "load-test.delete":
        requireActive(state);
        assertVersion(state, command.data.expectedVersion);
        return [{ type: "load-test.deleted", data: {} }];
      case "load-test.set-baseline":
        // That the run is a completed run of this test is checked where runs are known (the command handler).
        requireActive(state);
        return state.baselineRunId === command.data.runId ? [] : [{ type: "load-test.baseline-set", data: command.data }];
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case "load-test.created":
        return { status: "active", version: state.version + 1, spec: event.data.spec };
      case "load-test.updated":
        return { ...state, status: "active", version: state.version + 1, spec: event.data.spec };
      case "load-test.baseline-set":
        return state.status === "none" ? state : { ...state, version: state.version + 1, baselineRunId: event.data.runId };
      case "load-test.deleted":
        return state.status === "none" ? state : { ...state, status: "deleted", version: state.version + 1 };
      default:
        return state;
    }
  },
};
