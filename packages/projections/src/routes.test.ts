import { createLogger, devAccess, serviceApp } from "@loadline/service";
import { describe, expect, it } from "vitest";
import type { PgReadModel } from "./read-model.ts";
import { readRoutes } from "./routes.ts";
import type { ProjectionStatusReader } from "./status.ts";

/** A read model whose every query fails the test: what is refused at the door never reaches Postgres. */
const untouchable = new Proxy(
  {},
  {
    get: (_, name) => () => {
      throw new Error(`the read model was queried (${String(name)})`);
    },
  },
);
const app = serviceApp(
  { log: createLogger("test", "silent"), access: devAccess() },
  readRoutes({
    readModel: untouchable as PgReadModel,
    status: untouchable as ProjectionStatusReader,
    log: createLogger("test", "silent"),
  }),
);

async function get(path: string) {
  const res = await app.request(path);
  return { status: res.status, ...((await res.json()) as { error: { code: string; field?: string } }).error };
}

describe("read routes: bad input is refused before any query", () => {
  const cases: [string, number, string][] = [
    ["/v1/load-tests/%00", 404, "id"],
    ["/v1/load-tests/not.an.id", 404, "id"],
    ["/v1/runs/%00", 404, "id"],
    ["/v1/runs/%00/metrics/aggregate", 404, "id"],
    ["/v1/runs/%00/metrics/timeseries", 404, "id"],
    ["/v1/runs/%00/metrics/distribution", 404, "id"],
    ["/v1/runs/%00/metrics/endpoints", 404, "id"],
    ["/v1/load-tests?tag=%00", 400, "tag"],
    [`/v1/load-tests?tag=${"t".repeat(65)}`, 400, "tag"],
    ["/v1/runs?loadTestId=%00", 400, "loadTestId"],
    ["/v1/runs?loadTestId=a.b", 400, "loadTestId"],
    ["/v1/runs?status=Running%00", 400, "status"],
    ["/v1/runs/r1/metrics/timeseries?requests=%00", 400, "requests"],
    ["/v1/runs/r1/metrics/aggregate?workers=w1&workers=a%00", 400, "workers"],
    ["/v1/runs/r1/metrics/timeseries?from=soon", 400, "from"],
    ["/v1/runs/r1/metrics/timeseries?step=2s", 400, "step"],
    ["/v1/load-tests?limit=0", 400, "limit"],
    ["/v1/load-tests?limit=501", 400, "limit"],
    ["/v1/load-tests?limit=1e300", 400, "limit"],
    ["/v1/runs?offset=-1", 400, "offset"],
    ["/v1/runs?offset=99999999999999999999", 400, "offset"],
    ["/v1/runs?minSeq=99999999999999999999", 400, "minSeq"],
    ["/v1/runs?minSeq=%00", 400, "minSeq"],
  ];
  for (const [path, status, field] of cases) {
    it(`${path} -> ${status} naming ${field}`, async () => {
      expect(await get(path)).toMatchObject({ status, field });
    });
  }

  it("a write method on a read path is a 405 with Allow", async () => {
    const res = await app.request("/v1/runs", { method: "DELETE" });
    expect([res.status, res.headers.get("allow")]).toEqual([405, "GET, HEAD, OPTIONS"]);
  });
});

describe("read routes: a settled run's answers", () => {
  const finishedAt = new Date(Date.now() - 120_000).toISOString();
  const runOf = (tenantId: string, id: string, status: string) =>
    ({ tenantId, id, status, verdict: "none", finishedAt: status === "Running" ? null : finishedAt, workers: [], gaps: [] }) as unknown;
  let queries = 0;
  let positions = { events: "1@t", metrics: "1@t" };
  const readModel = {
    run: async (tenantId: string, id: string) => {
      queries++;
      return runOf(tenantId, id, id.startsWith("live") ? "Running" : "Completed");
    },
    positions: async () => positions,
    // The run's cost: no metrics.
    rollupSummaries: async () => [],
  };
  const cached = serviceApp(
    { log: createLogger("test", "silent"), access: devAccess() },
    readRoutes({
      readModel: readModel as unknown as PgReadModel,
      status: untouchable as ProjectionStatusReader,
      log: createLogger("test", "silent"),
    }),
  );
  const get = (path: string, tenant: string, headers: Record<string, string> = {}) =>
    cached.request(path, { headers: { "x-tenant-id": tenant, ...headers } });

  it("carry a strong ETag, answer 304 to If-None-Match, and are served from the cache per tenant", async () => {
    queries = 0;
    const first = await get("/v1/runs/r1", "t1");
    const etag = first.headers.get("etag");
    expect([first.status, etag?.startsWith('"'), ((await first.json()) as { tenantId: string }).tenantId]).toEqual([200, true, "t1"]);
    const again = await get("/v1/runs/r1", "t1");
    expect([again.status, again.headers.get("etag"), queries]).toEqual([200, etag, 1]);
    const notModified = await get("/v1/runs/r1", "t1", { "if-none-match": etag! });
    expect([notModified.status, await notModified.text()]).toEqual([304, ""]);
    const other = await get("/v1/runs/r1", "t2");
    expect([((await other.json()) as { tenantId: string }).tenantId, queries]).toEqual(["t2", 2]);
  });

  it("a live run's answer holds while the projections stand still, and is read again once they move", async () => {
    queries = 0;
    const a = await get("/v1/runs/live1", "t1");
    const b = await get("/v1/runs/live1", "t1");
    expect([a.status, b.headers.get("etag"), queries]).toEqual([200, a.headers.get("etag"), 1]);
    positions = { ...positions, metrics: "2@t" }; // a batch of windows projected
    await get("/v1/runs/live1", "t1");
    expect(queries).toBe(2);
    await get("/v1/runs/live1", "t2");
    expect(queries).toBe(3);
  });
});

describe("read routes: the lists and a load test, keyed by the projections' positions", () => {
  const at = { events: "1@t", metrics: "1@t" };
  const calls: string[] = [];
  const page = (tenantId: string) => ({ items: [{ tenantId }], total: 1 });
  const called = <T>(name: string, answer: T): T => {
    calls.push(name);
    return answer;
  };
  const readModel = {
    positions: async () => called("positions", { ...at }),
    loadTests: async (tenantId: string) => called("loadTests", page(tenantId)),
    runs: async (tenantId: string) => called("runs", page(tenantId)),
    loadTest: async (tenantId: string, id: string) => called("loadTest", { tenantId, id, version: 3 }),
  };
  const app = serviceApp(
    { log: createLogger("test", "silent"), access: devAccess() },
    readRoutes({
      readModel: readModel as unknown as PgReadModel,
      status: untouchable as ProjectionStatusReader,
      log: createLogger("test", "silent"),
    }),
  );
  const get = (path: string, tenant: string) => app.request(path, { headers: { "x-tenant-id": tenant } });

  it("read the positions once a request, and the rows only when they moved; the JSON as c.json wrote it", async () => {
    calls.length = 0;
    const first = await get("/v1/runs?limit=2", "t1");
    const again = await get("/v1/runs?limit=2", "t1");
    expect(await again.text()).toBe(JSON.stringify({ ...page("t1"), limit: 2, offset: 0 }));
    expect([first.headers.get("content-type"), again.headers.get("etag"), calls]).toEqual([
      "application/json",
      first.headers.get("etag"),
      ["positions", "runs", "positions"],
    ]);
    at.metrics = "2@t";
    calls.length = 0;
    await get("/v1/runs?limit=2", "t1");
    await get("/v1/load-tests?limit=2", "t1");
    await get("/v1/load-tests?limit=2", "t1");
    expect(calls).toEqual(["positions", "runs", "positions", "loadTests", "positions"]);
    at.metrics = "3@t"; // the load tests are not made of the metrics
    calls.length = 0;
    await get("/v1/load-tests?limit=2", "t1");
    expect(calls).toEqual(["positions"]);
  });

  it("another tenant, another query: another answer", async () => {
    calls.length = 0;
    const a = await (await get("/v1/load-tests/lt1", "t1")).json();
    const b = await (await get("/v1/load-tests/lt1", "t2")).json();
    await get("/v1/load-tests?limit=3", "t2");
    await get("/v1/load-tests?limit=3&tag=x", "t2");
    expect([a, b]).toEqual([
      { tenantId: "t1", id: "lt1", version: 3 },
      { tenantId: "t2", id: "lt1", version: 3 },
    ]);
    expect(calls.filter((c) => c !== "positions")).toEqual(["loadTest", "loadTest", "loadTests", "loadTests"]);
  });

  it("a load test's ETag is its version, and If-None-Match naming it is a 304", async () => {
    const res = await app.request("/v1/load-tests/lt1", { headers: { "x-tenant-id": "t1", "if-none-match": '"3"' } });
    expect([res.status, res.headers.get("etag")]).toEqual([304, '"3"']);
  });

  it("a bad query is a 400 naming its field before the positions are read", async () => {
    calls.length = 0;
    const res = await get("/v1/runs?limit=2&status=nope", "t1");
    expect([res.status, ((await res.json()) as { error: { field: string } }).error.field, calls]).toEqual([400, "status", []]);
  });
});
