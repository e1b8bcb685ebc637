import { createCommand, eventsFromCommand } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { wants } from "./matching.ts";
import { loadlineBody, slackBody } from "./payload.ts";

const completed = eventsFromCommand(
  createCommand({ type: "run.conclude", tenantId: "acme", aggregate: { type: "run", id: "r-1" }, data: {} }),
  [{ type: "run.completed", data: { finishedAt: "2026-12-05T10:00:00.000Z" } }],
)[0]!;

describe("webhook bodies", () => {
  it("loadline: the event with its links, no secret or host output", () => {
    const body = loadlineBody(completed, { runId: "r-1", run: null });
    expect(body).toEqual({
      id: completed.id,
      type: "run.completed",
      occurredAt: completed.time,
      tenantId: "acme",
      data: completed.data,
      links: { run: "/v1/runs/r-1" },
    });
    const action = eventsFromCommand(
      createCommand({
        type: "agent.expire-action",
        tenantId: "acme",
        aggregate: { type: "agent", id: "a-1" },
        data: { actionId: "x", reason: "r" },
      }),
      [{ type: "agent.action-failed", data: { actionId: "x", reason: "exit 1", output: "DB_PASSWORD=hunter2" } }],
    )[0]!;
    expect(JSON.stringify(loadlineBody(action, { runId: null, run: null }))).not.toContain("hunter2");
  });

  it("slack: a readable line with the run's name, status, verdict, p95 and error rate", () => {
    const run = { name: "checkout", status: "Completed", verdict: "failed", p95Ms: 212.5, errorRate: 0.0125 };
    expect(slackBody(completed, { runId: "r-1", run }).text).toBe(
      "Loadline run.completed: checkout (r-1) — status Completed, verdict failed, p95 212.5 ms, errors 1.25%",
    );
  });

  it("matches by type and filters", () => {
    const sub = { events: ["run.completed"], filters: { tags: ["nightly"] }, enabled: true };
    expect(wants(sub, "run.completed", { runId: "r", loadTestId: "t", tags: ["nightly", "x"] })).toBe(true);
    expect(wants(sub, "run.completed", { runId: "r", loadTestId: "t", tags: [] })).toBe(false);
    expect(wants(sub, "run.started", { runId: "r", loadTestId: "t", tags: ["nightly"] })).toBe(false);
    expect(wants({ ...sub, enabled: false }, "run.completed", { runId: "r", loadTestId: "t", tags: ["nightly"] })).toBe(false);
    expect(wants({ ...sub, filters: { loadTestId: "t" } }, "run.completed", { runId: "r", loadTestId: "u", tags: [] })).toBe(false);
  });
});
