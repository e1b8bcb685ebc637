import { createCommand } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { admissionRefusal } from "./command-admission.ts";

const run = { type: "run" as const, id: "r1" };

describe("command admission", () => {
  it("takes what users ask for on a command subject that matches it", () => {
    const stop = createCommand({ type: "run.stop", tenantId: "a", aggregate: run, data: { reason: "requested" } });
    expect(admissionRefusal("ll.cmd.a.run.r1", stop)).toBeNull();
  });

  it("refuses a command whose body names another tenant or aggregate than its subject", () => {
    const stop = createCommand({ type: "run.stop", tenantId: "a", aggregate: run, data: { reason: "requested" } });
    expect(admissionRefusal("ll.cmd.b.run.r1", stop)).toMatch(/does not match/);
    expect(admissionRefusal("ll.cmd.a.run.r2", stop)).toMatch(/does not match/);
  });

  it("never takes the orchestrator's own steps from the bus", () => {
    const create = createCommand({
      type: "run.create",
      tenantId: "a",
      aggregate: run,
      data: {
        loadTestId: "t",
        targetUsers: 1,
        spawnRate: 1,
        durationSec: 1,
        target: { targetUrl: "http://169.254.169.254/", requests: [] },
      } as never,
    });
    expect(admissionRefusal("ll.cmd.a.run.r1", create)).toMatch(/not taken from the bus/);
  });

  it("takes a worker's report only on its own report subject", () => {
    const ready = createCommand({ type: "run.report-worker-ready", tenantId: "a", aggregate: run, data: { workerId: "w1" } });
    expect(admissionRefusal("ll.cmd.a.run.r1.w1", ready)).toBeNull();
    expect(admissionRefusal("ll.cmd.a.run.r1.w2", ready)).toMatch(/sent as worker w2/);
    expect(admissionRefusal("ll.cmd.a.run.r1", ready)).toMatch(/not taken from the bus/);
    const stop = createCommand({ type: "run.stop", tenantId: "a", aggregate: run, data: { reason: "requested" } });
    expect(admissionRefusal("ll.cmd.a.run.r1.w1", stop)).toMatch(/not a worker's report/);
  });
});
