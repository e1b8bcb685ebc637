import { newId, type RunView, type ScheduleView, scheduledRunId } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { commandContext } from "../src/commands/context.ts";
import { schedules } from "../src/commands/schedules.ts";
import { type StackFixture, startTestStack } from "./fixture.ts";

/** Issue 20 through the whole stack: the schedule routes, the orchestrator's scheduler, the read model. */
let f: StackFixture;
beforeAll(async () => {
  f = await startTestStack();
});
afterAll(() => f.close());

async function call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await f.api.fetch(path, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as T };
}

type ErrorBody = { error: { code: string; field?: string; message: string } };

async function loadTest(): Promise<string> {
  const created = await call<{ id: string }>("POST", "/v1/load-tests", {
    name: "scheduled",
    targetUrl: f.stack.demoTarget!.url,
    requests: [{ method: "GET", path: "/fixed?ms=1" }],
    defaultUsers: 1,
    defaultSpawnRate: 5,
    defaultDurationSec: 1,
  });
  expect(created.status).toBe(201);
  return created.body.id;
}

describe("schedules through the API", () => {
  it("refuses a bad pattern or zone with a 400 naming the field, and a schedule of a test that is not there with a 404", async () => {
    const test = await loadTest();
    const badCron = await call<ErrorBody>("POST", `/v1/load-tests/${test}/schedules`, { cron: "0 25 * * *" });
    expect([badCron.status, badCron.body.error.field]).toEqual([400, "cron"]);
    expect(badCron.body.error.message).toMatch(/hour/);
    const badZone = await call<ErrorBody>("POST", `/v1/load-tests/${test}/schedules`, { cron: "0 3 * * *", timezone: "Europe/Nowhere" });
    expect([badZone.status, badZone.body.error.field]).toEqual([400, "timezone"]);
    const noTest = await call<ErrorBody>("POST", `/v1/load-tests/${newId()}/schedules`, { cron: "0 3 * * *" });
    expect([noTest.status, noTest.body.error.code, noTest.body.error.field]).toEqual([404, "not_found", "id"]);
  });

  it("creates, shows the next fire times, changes (If-Match), lists and deletes a schedule", async () => {
    const test = await loadTest();
    const created = await call<ScheduleView>("POST", `/v1/load-tests/${test}/schedules`, {
      cron: "30 2 * * *",
      timezone: "Europe/Berlin",
      overrides: { durationSec: 1, workers: 1 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;
    expect(created.headers.get("location")).toBe(`/v1/schedules/${id}`);
    expect(created.headers.get("etag")).toBe('"1"');
    expect(created.body).toMatchObject({
      loadTestId: test,
      cron: "30 2 * * *",
      timezone: "Europe/Berlin",
      overrides: { durationSec: 1, workers: 1 },
      enabled: true,
      missedFire: "skip",
      overlap: "skip",
      lastRunId: null,
      version: 1,
    });
    expect(created.body.nextFireTimes).toHaveLength(5);
    expect((await call<ScheduleView>("GET", `/v1/schedules/${id}`)).body).toEqual(created.body);

    const stale = await call<ErrorBody>("PATCH", `/v1/schedules/${id}`, { enabled: false }, { "if-match": '"7"' });
    expect([stale.status, stale.body.error.field]).toEqual([412, "If-Match"]);
    const off = await call<ScheduleView>("PATCH", `/v1/schedules/${id}`, { enabled: false, overlap: "queue" }, { "if-match": '"1"' });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ enabled: false, overlap: "queue", nextFireTimes: [], version: 2, cron: "30 2 * * *" });

    const listed = await call<{ items: ScheduleView[]; total: number }>("GET", `/v1/load-tests/${test}/schedules`);
    expect(listed.body.items.map((s) => s.id)).toEqual([id]);
    expect((await call("DELETE", `/v1/schedules/${id}`)).status).toBe(204);
    expect((await call("GET", `/v1/schedules/${id}`)).status).toBe(404);
    expect((await call("PATCH", `/v1/schedules/${id}`, { enabled: true })).status).toBe(404);
  });

  it("fires on its clock: each due instant starts one run, of the derived id, started by the schedule", async () => {
    const test = await loadTest();
    const created = await call<ScheduleView>("POST", `/v1/load-tests/${test}/schedules`, {
      cron: "*/2 * * * * *",
      overrides: { durationSec: 1 },
      overlap: "allow",
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const fired = await eventually(async () => {
      const { body } = await call<ScheduleView>("GET", `/v1/schedules/${id}`);
      return body.lastRunId !== null && body;
    }, 15_000);
    expect(fired.lastRunId).toBe(scheduledRunId(id, fired.lastDueAt!));
    expect(Date.parse(fired.lastFiredAt!) - Date.parse(fired.lastDueAt!)).toBeLessThan(1_000);
    const run = await eventually(async () => {
      const res = await call<RunView>("GET", `/v1/runs/${fired.lastRunId}`);
      return res.status === 200 && res.body;
    }, 10_000);
    expect(run).toMatchObject({ loadTestId: test, durationSec: 1 });
    // Stop it firing; the runs it started are its own.
    expect((await call("PATCH", `/v1/schedules/${id}`, { enabled: false })).status).toBe(200);
    const runs = await call<{ items: RunView[] }>("GET", `/v1/runs?loadTestId=${test}&limit=100`);
    expect(runs.body.items.length).toBeGreaterThanOrEqual(1);
  });
});

describe("loadline schedules (the CLI)", () => {
  /** The command's exit code and what it printed. */
  async function cli(action: string, arg: string | undefined, o: Parameters<typeof schedules>[3]) {
    const out: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((line: string) => void out.push(line));
    const err = vi.spyOn(console, "error").mockImplementation((line: string) => void out.push(line));
    try {
      // The stack's data folder holds its bootstrap key, which the CLI sends.
      const ctx = commandContext({ data: f.dataDir, logLevel: "silent", defaultPort: 0 });
      return { code: await schedules(ctx, action, arg, o), out: out.join("\n") };
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  }

  it("creates, lists and deletes against --api; a refusal is exit 1 with the API's message, no --api exit 2", async () => {
    const api = f.stack.apiUrl;
    const test = await loadTest();
    const created = await cli("create", test, { api, cron: "0 3 * * 1-5", timezone: "Europe/Berlin", json: true });
    expect(created.code).toBe(0);
    const { id, nextFireTimes } = JSON.parse(created.out) as ScheduleView;
    expect(nextFireTimes).toHaveLength(5);
    const listed = await cli("list", undefined, { api, test });
    expect([listed.code, listed.out]).toEqual([
      0,
      expect.stringContaining(`${id}  ${test}  "0 3 * * 1-5"  Europe/Berlin  ${nextFireTimes[0]}`),
    ]);
    expect(await cli("create", test, { api, cron: "0 3 * *" })).toMatchObject({ code: 1, out: expect.stringMatching(/HTTP 400: cron: /) });
    expect(await cli("delete", id, { api })).toEqual({ code: 0, out: `schedule ${id} deleted` });
    expect((await cli("list", undefined, { api })).out).not.toContain(id);
    expect((await cli("list", undefined, {})).code).toBe(2);
    expect((await cli("create", test, { api })).code).toBe(2); // no --cron
  });
});
