import { request as httpRequest } from "node:http";
import { newId } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StackFixture, startTestStack } from "./fixture.ts";
import { sendRaw } from "./raw-http.ts";

let f: StackFixture;
let base: string;
/** The platform admin's credential (the stack's bootstrap key): every route of the API is behind authentication. */
let authorization: string;
beforeAll(async () => {
  f = await startTestStack();
  base = f.stack.apiUrl;
  authorization = `Bearer ${f.stack.adminKey}`;
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
    headers: { authorization, "content-type": "application/json", ...headers },
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

describe("bad input is refused at the door with a clear 4xx (issue 16)", () => {
  /** What the API answers to `text`, written as is on a socket of its own. */
  async function raw(text: string): Promise<{ status: number; body: unknown }> {
    const outcome = await sendRaw(Number(new URL(base).port), { parts: [Buffer.from(text)], timeoutMs: 10_000 });
    if (outcome.kind !== "answer") throw new Error(`no answer to ${JSON.stringify(text.slice(0, 80))}: ${outcome.kind}`);
    const { status, body } = outcome.answer;
    return { status, body: body.length > 0 ? JSON.parse(body.toString("utf8")) : null };
  }

  const steps = (...s: object[]) => ({ ...spec(), requests: undefined, scenarios: [{ name: "s", steps: s }] });

  it("a NUL or a lone surrogate in a string is a 400 naming it, and the projection goes on", async () => {
    for (const [body, field] of [
      [{ ...spec(), name: "nul\u0000name" }, "name"],
      [`{"name":"\\ud800"}`, "name"],
      [{ ...spec(), requests: [{ method: "GET", path: "/", headers: { "x-a": "a\u0000b" } }] }, "requests.0.headers.x-a"],
      [{ ...spec(), tags: ["ok", "\udc00"] }, "tags.1"],
    ] as const) {
      const res = await call("POST", "/v1/load-tests", body);
      expect([res.status, res.body.error.field], JSON.stringify(body).slice(0, 80)).toEqual([400, field]);
    }
    // Applied, not stuck behind a refused event: read-your-writes answers 201, not 202.
    expect((await call("POST", "/v1/load-tests", spec())).status).toBe(201);
  });

  it("a step body.json nested 3,000 deep is a 400 naming the field, not a crash", async () => {
    const json = JSON.parse(`${"[".repeat(3000)}${"]".repeat(3000)}`);
    const res = await call("POST", "/v1/load-tests", steps({ type: "request", url: "/", body: { json } }));
    expect(res.status).toBe(400);
    expect(res.body.error.field).toMatch(/^scenarios\.0\.steps\.0\.body\.json(\.0)+$/);
    expect((await call("GET", "/readyz")).status).toBe(200);
  });

  it("ids and parameters that are not: 404 for a path id, 400 naming the parameter", async () => {
    for (const [method, path, status, field] of [
      ["GET", "/v1/load-tests/%00", 404, "id"],
      ["PUT", "/v1/load-tests/%00", 404, "id"],
      ["DELETE", "/v1/load-tests/%00", 404, "id"],
      ["GET", "/v1/runs/%00/metrics/aggregate", 404, "id"],
      ["POST", "/v1/runs/%00/stop", 404, "id"],
      ["GET", "/v1/load-tests?tag=%00", 400, "tag"],
      ["GET", `/v1/runs/${newId()}/metrics/timeseries?requests=%00`, 400, "requests"],
      ["GET", "/v1/runs?limit=1e300", 400, "limit"],
      ["GET", "/v1/nowhere", 404, "path"],
    ] as const) {
      const res = await call(method, path, method === "PUT" ? spec() : undefined);
      expect([res.status, res.body.error.field], `${method} ${path}`).toEqual([status, field]);
    }
  });

  it("an If-Match past the safe integers is a 400 at once, not a 202 after 10 s for a dropped command", async () => {
    const { body: test } = await call("POST", "/v1/load-tests", spec());
    const started = Date.now();
    const put = await call("PUT", `/v1/load-tests/${test.id}`, spec(), { "if-match": '"99999999999999999999"' });
    const del = await call("DELETE", `/v1/load-tests/${test.id}`, undefined, { "if-match": '"99999999999999999999"' });
    expect([put.status, put.body.error.field, del.status, del.body.error.field]).toEqual([400, "If-Match", 400, "If-Match"]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await call("GET", `/v1/load-tests/${test.id}`)).body.version).toBe(1);
  });

  it("bodies over the limit are a 413: by Content-Length before they are sent, and by size", async () => {
    const twoBig = { ...spec(), requests: [600_000, 610_000].map((n) => ({ method: "POST", path: "/", body: "x".repeat(n) })) };
    expect(await call("POST", "/v1/load-tests", twoBig)).toMatchObject({
      status: 413,
      body: { error: { code: "payload_too_large", field: "body" } },
    });
    const started = Date.now();
    const announced = await raw(
      `POST /v1/load-tests HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${authorization}\r\nContent-Type: application/json\r\nContent-Length: ${20 * 1024 * 1024}\r\n\r\n{`,
    );
    expect(announced).toMatchObject({ status: 413, body: { error: { field: "body" } } });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("a test under the body limit whose command would not fit in a NATS message is a 413 naming its largest part", async () => {
    // A CSV becomes rows when parsed, each repeating the column names: 0.7 MB of it is some 4 MB of command.
    const columns = Array.from({ length: 30 }, (_, i) => `c${String(i).padStart(2, "0")}`);
    const csv = [columns.join(","), ...Array.from({ length: 12_000 }, () => columns.map(() => "1").join(","))].join("\n");
    const res = await call("POST", "/v1/load-tests", {
      ...steps({ type: "request", url: "/" }),
      scenarios: [{ name: "s", data: { csv }, steps: [{ type: "request", url: "/" }] }],
    });
    expect([res.status, res.body.error.code, res.body.error.field]).toEqual([413, "payload_too_large", "scenarios.0.data.csv"]);
    expect(res.body.error.message).toMatch(/max_payload/);
  });

  it("JSON bodies need a JSON Content-Type: 415 naming it otherwise (no cross-site write without a preflight)", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded"]) {
      const res = await call("POST", "/v1/load-tests", spec(), { "content-type": type });
      expect([res.status, res.body.error.field], type).toEqual([415, "Content-Type"]);
    }
    const none = await fetch(`${base}/v1/load-tests`, {
      method: "POST",
      headers: { authorization },
      body: new Blob([JSON.stringify(spec())]),
    });
    expect([none.status, ((await none.json()) as { error: { field: string } }).error.field]).toEqual([415, "Content-Type"]);
  });

  it("a wrong method is a 405 with Allow, OPTIONS a 204 with Allow", async () => {
    const patch = await call("PATCH", "/v1/load-tests/abc", spec());
    expect([patch.status, patch.body.error.code]).toEqual([405, "method_not_allowed"]);
    expect(patch.headers.get("allow")?.split(", ").sort()).toEqual(["DELETE", "GET", "HEAD", "OPTIONS", "PUT"]);
    const options = await call("OPTIONS", "/v1/load-tests");
    expect([options.status, options.headers.get("allow")?.split(", ").sort()]).toEqual([204, ["GET", "HEAD", "OPTIONS", "POST"]]);
  });

  it("step urls are http(s) only, the scheme in any case; a target in capitals is taken", async () => {
    for (const url of ["file:///etc/passwd", "javascript:alert(1)"]) {
      const res = await call("POST", "/v1/load-tests", steps({ type: "request", url }));
      expect([res.status, res.body.error.field], url).toEqual([400, "scenarios.0.steps.0.url"]);
    }
    const upper = await call("POST", "/v1/load-tests", { ...spec(), targetUrl: f.stack.demoTarget!.url.replace("http://", "HTTP://") });
    expect(upper.status).toBe(201);
  });

  it("a Host not served here is a 421 (DNS rebinding); Node's own refusals answer in the shape", async () => {
    const rebound = await new Promise<{ status: number; body: { error: { field: string } } }>((resolve, reject) => {
      const { port } = new URL(base);
      const req = httpRequest(
        { host: "127.0.0.1", port, path: "/v1/load-tests", setHost: false, headers: { host: `rebound.example:${port}`, authorization } },
        (res) => {
          let text = "";
          res.on("data", (d) => (text += d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect([rebound.status, rebound.body.error.field]).toEqual([421, "Host"]);
    expect(await raw("GET / HTTP/9.9.9\r\n\r\n")).toMatchObject({ status: 400, body: { error: { code: "bad_request" } } });
    expect(
      await raw(`GET /v1/runs HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${authorization}\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`),
    ).toMatchObject({
      status: 431,
      body: { error: { code: "headers_too_large", field: "headers" } },
    });
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
