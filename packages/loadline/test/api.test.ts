import { newId } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StackFixture, startTestStack } from "./fixture.ts";

let f: StackFixture;
let base: string;
beforeAll(async () => {
  f = await startTestStack();
  base = f.stack.apiUrl;
});
afterAll(() => f.close());

const spec = () => ({
  name: "api",
  tags: ["checkout", "smoke"],
  targetUrl: f.stack.demoTarget!.url,
  requests: [{ method: "GET", path: "/fixed?ms=1" }],
  defaultUsers: 1,
  defaultSpawnRate: 5,
  defaultDurationSec: 1,
  maxDurationSec: 60,
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? null : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

/**
 * The stack's one worker, once it is registered and idle: the runs other tests started end on their
 * own, and a test that looks at the fleet waits for them here rather than count on running after them.
 */
async function idleWorker(): Promise<Record<string, unknown>> {
  const { workers } = await eventually(async () => {
    const { body } = await call("GET", "/v1/workers?state=idle");
    return body.workers.length === 1 && body;
  }, 30_000);
  return workers[0];
}

describe("load tests: create, read, list, update, delete", () => {
  it("creates a test and serves it right after (read-your-writes)", async () => {
    const created = await call("POST", "/v1/load-tests", spec());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "api", version: 1, tags: ["checkout", "smoke"], defaultUsers: 1 });
    expect(created.headers.get("location")).toBe(`/v1/load-tests/${created.body.id}`);
    const got = await call("GET", `/v1/load-tests/${created.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);
  });

  it("lists by tag, paginated", async () => {
    const tag = `t${Date.now()}`;
    for (let i = 0; i < 3; i++) await call("POST", "/v1/load-tests", { ...spec(), name: `p${i}`, tags: [tag] });
    const page = await call("GET", `/v1/load-tests?tag=${tag}&limit=2&offset=0`);
    expect(page.status).toBe(200);
    expect(page.body.total).toBe(3);
    expect(page.body.items).toHaveLength(2);
    const rest = await call("GET", `/v1/load-tests?tag=${tag}&limit=2&offset=2`);
    expect(rest.body.items).toHaveLength(1);
  });

  it("updates with If-Match, refuses a stale version with 412, deletes", async () => {
    const { body: test } = await call("POST", "/v1/load-tests", spec());
    const updated = await call("PUT", `/v1/load-tests/${test.id}`, { ...spec(), name: "renamed" }, { "if-match": '"1"' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: "renamed", version: 2 });
    const stale = await call("PUT", `/v1/load-tests/${test.id}`, spec(), { "if-match": '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.body.error).toMatchObject({ code: "precondition_failed", field: "If-Match" });
    const bad = await call("PUT", `/v1/load-tests/${test.id}`, spec(), { "if-match": "yesterday" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("If-Match");
    expect((await call("DELETE", `/v1/load-tests/${test.id}`)).status).toBe(204);
    expect((await call("GET", `/v1/load-tests/${test.id}`)).status).toBe(404);
  });
});

describe("runs: defaults merged with overrides", () => {
  it("starts a run with the test's defaults overridden", async () => {
    const { body: test } = await call("POST", "/v1/load-tests", spec());
    const run = await call("POST", `/v1/load-tests/${test.id}/runs`, { targetUsers: 2, durationSec: 2 });
    expect(run.status).toBe(201);
    expect(run.body).toMatchObject({ loadTestId: test.id, targetUsers: 2, spawnRate: 5, durationSec: 2 });
    const listed = await call("GET", `/v1/runs?loadTestId=${test.id}`);
    expect(listed.body.items.map((r: { id: string }) => r.id)).toEqual([run.body.id]);
    await f.api.waitForEnd(run.body.id, 20_000);
    const completed = await call("GET", `/v1/runs?status=Completed&loadTestId=${test.id}`);
    expect(completed.body.total).toBe(1);
  });
});

describe("the fleet and placement", () => {
  it("lists the workers with their capacity, state and assignment", async () => {
    expect(await idleWorker()).toMatchObject({
      state: "idle",
      capacity: { threads: 1, maxVUs: 10_000 },
      assignments: [],
      version: expect.any(String),
    });
  });

  it("fails a run that cannot be placed, with the reason, and runs one that can", async () => {
    await idleWorker(); // live, and no run of another test assigned to it: the one placed here is its only one
    const { body: test } = await call("POST", "/v1/load-tests", spec());
    const twoWorkers = await call("POST", `/v1/load-tests/${test.id}/runs`, { workers: 2 });
    expect(twoWorkers.status).toBe(201);
    const failed = await f.api.waitForEnd(twoWorkers.body.id, 15_000);
    expect(failed).toMatchObject({
      status: "Failed",
      reason: "2 workers asked, but only 1 live worker has room",
      placement: { workers: 2 },
    });
    const nowhere = await call("POST", `/v1/load-tests/${test.id}/runs`, { workerSelector: { region: "mars" } });
    expect((await f.api.waitForEnd(nowhere.body.id, 15_000)).reason).toBe("no live worker matching region=mars to run the load");

    const placed = await call("POST", `/v1/load-tests/${test.id}/runs`, { workers: 1, durationSec: 2 });
    // The worker's next heartbeat carries the assignment.
    const fleet = await eventually(async () => {
      const { workers } = (await call("GET", "/v1/workers?state=busy")).body;
      return workers.length > 0 && workers;
    }, 5_000);
    expect(fleet.map((w: { assignments: { runId: string; lanes: number[] }[] }) => w.assignments.map((a) => [a.runId, a.lanes]))).toEqual([
      [[placed.body.id, [0]]],
    ]);
    const done = await f.api.waitForEnd(placed.body.id, 15_000);
    expect(done).toMatchObject({ status: "Completed", laneCount: 1, gaps: [] });
    expect(done.workers).toMatchObject([{ lanes: [0], state: "stopped" }]);
    // Another tenant sees the worker, not this tenant's runs.
    const other = await call("GET", "/v1/workers", undefined, { "x-tenant-id": "someone-else" });
    expect(other.body.workers[0].assignments).toEqual([]);
  });
});

describe("bad input gets a 4xx with a JSON body naming the field", () => {
  const cases: [string, string, string, unknown, number, string | undefined][] = [
    ["invalid JSON", "POST", "/v1/load-tests", "{not json", 400, "body"],
    ["a missing name", "POST", "/v1/load-tests", { ...spec0(), name: undefined }, 400, "name"],
    ["a wrong type", "POST", "/v1/load-tests", { ...spec0(), defaultUsers: "ten" }, 400, "defaultUsers"],
    ["negative users", "POST", "/v1/load-tests", { ...spec0(), defaultUsers: -1 }, 400, "defaultUsers"],
    ["a request without a path", "POST", "/v1/load-tests", { ...spec0(), requests: [{ method: "GET" }] }, 400, "requests.0.path"],
    ["a bad method", "POST", "/v1/load-tests", { ...spec0(), requests: [{ method: "FETCH", path: "/" }] }, 400, "requests.0.method"],
    ["a non-http target", "POST", "/v1/load-tests", { ...spec0(), targetUrl: "ftp://x" }, 400, "targetUrl"],
    ["an unknown field", "POST", "/v1/load-tests", { ...spec0(), colour: "red" }, 400, undefined],
    ["an unknown status filter", "GET", "/v1/runs?status=Sleeping", undefined, 400, "status"],
    ["an unknown worker state filter", "GET", "/v1/workers?state=asleep", undefined, 400, "state"],
    ["a reserved tenant", "GET", "/v1/workers", undefined, 400, "X-Tenant-Id"],
  ];
  for (const [what, method, path, body, status, field] of cases) {
    it(`${what} -> ${status}`, async () => {
      const res = await call(method, path, body, what === "a reserved tenant" ? { "x-tenant-id": "_fleet" } : {});
      expect(res.status).toBe(status);
      expect(res.body.error.message).toEqual(expect.any(String));
      if (field) expect(res.body.error.field).toBe(field);
    });
  }

  it("negative users, unknown fields and too long a run, when starting a run", async () => {
    const { body: test } = await call("POST", "/v1/load-tests", spec());
    const negative = await call("POST", `/v1/load-tests/${test.id}/runs`, { targetUsers: -5 });
    expect(negative.status).toBe(400);
    expect(negative.body.error.field).toBe("targetUsers");
    const unknown = await call("POST", `/v1/load-tests/${test.id}/runs`, { users: 5 });
    expect(unknown.status).toBe(400);
    const tooLong = await call("POST", `/v1/load-tests/${test.id}/runs`, { durationSec: 61 });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.field).toBe("durationSec");
    const noWorkers = await call("POST", `/v1/load-tests/${test.id}/runs`, { workers: 0 });
    expect([noWorkers.status, noWorkers.body.error.field]).toEqual([400, "workers"]);
    const badSelector = await call("POST", `/v1/load-tests/${test.id}/runs`, { workerSelector: { "bad label!": "x" } });
    expect([badSelector.status, badSelector.body.error.field]).toEqual([400, "workerSelector.bad label!"]);
    const notAMap = await call("POST", `/v1/load-tests/${test.id}/runs`, { workerSelector: ["eu"] });
    expect([notAMap.status, notAMap.body.error.field]).toEqual([400, "workerSelector"]);
  });

  it("unknown ids -> 404", async () => {
    for (const [method, path] of [
      ["GET", `/v1/load-tests/${newId()}`],
      ["PUT", `/v1/load-tests/${newId()}`],
      ["DELETE", `/v1/load-tests/${newId()}`],
      ["POST", `/v1/load-tests/${newId()}/runs`],
      ["GET", `/v1/runs/${newId()}`],
      ["POST", `/v1/runs/${newId()}/stop`],
      ["GET", `/v1/runs/${newId()}/metrics/aggregate`],
      ["GET", "/v1/runs/not.a.valid.id"],
    ] as const) {
      const res = await call(method, path, method === "PUT" ? spec() : method === "POST" ? {} : undefined);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
  });
});

function spec0() {
  return {
    name: "bad",
    targetUrl: "http://127.0.0.1:9",
    requests: [{ method: "GET", path: "/" }],
    defaultUsers: 1,
    defaultSpawnRate: 1,
    defaultDurationSec: 1,
  };
}
