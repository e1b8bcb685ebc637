import { describe, expect, it } from "vitest";
import { loadTestCommands } from "../schemas/load-test.ts";
import { runCommands } from "../schemas/run.ts";
import { workerCommands } from "../schemas/worker.ts";
import { loadTestDecider } from "./load-test.ts";
import { runDecider } from "./run.ts";
import { workerDecider } from "./worker.ts";

/** A command in the schemas that no decider names would be refused as "invalid" at run time. */
describe("every command of the schemas is decided", () => {
  it("by the decider of its aggregate; run.start alone is compiled into run.create by the command handler", () => {
    expect([...loadTestDecider.commands].sort()).toEqual(Object.keys(loadTestCommands).sort());
    expect([...runDecider.commands, "run.start"].sort()).toEqual(Object.keys(runCommands).sort());
    expect([...workerDecider.commands].sort()).toEqual(Object.keys(workerCommands).sort());
  });
});
