import { DomainError } from "../errors.ts";
import type { LoadTestSpec } from "../schemas/load-test.ts";
import type { Decider } from "./decider.ts";

export type LoadTestState = { status: "none"; version: 0 } | { status: "active" | "deleted"; version: number; spec: LoadTestSpec };

type LoadTestCommand = "load-test.create" | "load-test.update" | "load-test.delete";

function assertVersion(state: LoadTestState, expected: number | undefined): void {
  if (expected !== undefined && expected !== state.version) {
    throw new DomainError("precondition_failed", `version is ${state.version}, not ${expected}`, "If-Match");
  }
}

function requireActive(state: LoadTestState): asserts state is Extract<LoadTestState, { status: "active" }> {
  if (state.status !== "active") throw new DomainError("not_found", "load test not found");
}

export const loadTestDecider: Decider<LoadTestState, LoadTestCommand> = {
  commands: ["load-test.create", "load-test.update", "load-test.delete"],
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
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case "load-test.created":
      case "load-test.updated":
        return { status: "active", version: state.version + 1, spec: event.data.spec };
      case "load-test.deleted":
        return state.status === "none" ? state : { ...state, status: "deleted", version: state.version + 1 };
      default:
        return state;
    }
  },
};
