import { type LoadTestView, newId, type RunView } from "@loadline/core";
import postgres from "postgres";
import { afterEach, describe, expect, it, vi } from "vitest";
import { appendEvents, loadTestSpec, publishWindow, requestWindow, runCreated } from "./test-fixtures.ts";
import { testProjections } from "./test-projections.ts";

// The lists and GET /v1/load-tests/{id} against the real projections: cached while the projections'
// positions stay (PositionKeyedCache), computed again as soon as one they are made of moves.
const live = testProjections();
const { newTenant, applied } = live;

type List<T> = { items: T[]; total: number };

const get = async <T>(path: string, tenant: string, headers: Record<string, string> = {}) => {
  const res = await live.app().request(path, { headers: { "X-Tenant-Id": tenant, ...headers } });
  const text = await res.text();
  return { status: res.status, text, body: (text ? JSON.parse(text) : null) as T, etag: res.headers.get("etag") };
};

/** Counts the read model's queries of the answers (not of the positions). */
const spies = () => {
  const rm = live.projections.readModel;
  return { loadTests: vi.spyOn(rm, "loadTests"), loadTest: vi.spyOn(rm, "loadTest"), runs: vi.spyOn(rm, "runs") };
};
afterEach(() => {
  vi.restoreAllMocks();
});

const createLoadTest = async (tenant: string, name: string, id = newId()) => {
  await applied(
    await appendEvents(live.store, tenant, { type: "load-test", id }, [
      { type: "load-test.created", data: { spec: loadTestSpec({ name }) } },
    ]),
  );
  return id;
};

describe("read routes: answers keyed by the projections' positions", () => {
  it("a second GET with the positions unchanged is the cached answer: no query of the rows, the same bytes and ETag, 304", async () => {
    const tenant = newTenant();
    const id = await createLoadTest(tenant, "a");
    const count = spies();
    for (const path of ["/v1/load-tests?limit=50", `/v1/load-tests/${id}`, "/v1/runs?limit=50"]) {
      const first = await get(path, tenant);
      const again = await get(path, tenant);
      expect([first.status, again.status, again.text, again.etag]).toEqual([200, 200, first.text, first.etag]);
      const notModified = await get(path, tenant, { "if-none-match": first.etag! });
      expect([notModified.status, notModified.text, notModified.etag]).toEqual([304, "", first.etag]);
    }
    expect([count.loadTests.mock.calls.length, count.loadTest.mock.calls.length, count.runs.mock.calls.length]).toEqual([1, 1, 1]);
    // The load test's ETag is still its version (If-Match on a write names it).
    expect((await get(`/v1/load-tests/${id}`, tenant)).etag).toBe('"1"');
  });

  it("a write, once projected, is in the very next answer (read-your-writes)", async () => {
    const tenant = newTenant();
    const id = await createLoadTest(tenant, "a");
    const before = await get<List<LoadTestView>>("/v1/load-tests", tenant);
    const one = await get<LoadTestView>(`/v1/load-tests/${id}`, tenant);
    expect([before.body.total, one.body.name]).toEqual([1, "a"]);

    await createLoadTest(tenant, "b");
    const seq = await appendEvents(live.store, tenant, { type: "load-test", id }, [
      { type: "load-test.updated", data: { spec: loadTestSpec({ name: "a2" }) } },
    ]);
    // minSeq: the middleware waits for the projection, the route then reads the new positions.
    const after = await get<List<LoadTestView>>(`/v1/load-tests?minSeq=${seq}`, tenant);
    const updated = await get<LoadTestView>(`/v1/load-tests/${id}?minSeq=${seq}`, tenant);
    expect([after.body.total, after.etag === before.etag, updated.body.name, updated.etag]).toEqual([2, false, "a2", '"2"']);
  });

  it("runs: a run created is listed at once, and a new second of metrics changes lastMetrics at once", async () => {
    const tenant = newTenant();
    const loadTestId = await createLoadTest(tenant, "a");
    expect((await get<List<RunView>>("/v1/runs", tenant)).body.total).toBe(0);
    const runId = newId();
    await applied(await appendEvents(live.store, tenant, { type: "run", id: runId }, [runCreated(loadTestId)]));
    const listed = await get<List<RunView>>("/v1/runs", tenant);
    expect([listed.body.total, listed.body.items[0]?.lastMetrics]).toEqual([1, null]);

    // The load tests' list is of the events projection only: the metrics moving leaves it cached.
    await get("/v1/load-tests", tenant);
    const count = spies();
    const seq = await publishWindow(live.js, live.env.ns, tenant, {
      runId,
      workerId: "w1",
      second: 1_800_000_000,
      activeUsers: 5,
      requests: [requestWindow("home", [1000, 2000])],
    });
    expect(await live.projections.projectors.metrics.waitFor(seq, 5000)).toBe(true);
    const withMetrics = await get<List<RunView>>("/v1/runs", tenant);
    await get("/v1/load-tests", tenant);
    expect([withMetrics.body.items[0]?.lastMetrics?.requests, count.runs.mock.calls.length, count.loadTests.mock.calls.length]).toEqual([
      2, 1, 0,
    ]);
  });

  it("a checkpoint rewritten at the same position (a rebuild's swap) is another read model", async () => {
    const tenant = newTenant();
    await createLoadTest(tenant, "a");
    await get("/v1/load-tests", tenant);
    const count = spies();
    const sql = postgres(live.pg.url, { max: 1, onnotice: () => undefined });
    try {
      await sql`update projection_checkpoints set updated_at = now() where name = 'events'`;
    } finally {
      await sql.end();
    }
    await get("/v1/load-tests", tenant);
    expect(count.loadTests.mock.calls.length).toBe(1);
  });

  it("tenants never share an answer", async () => {
    const [a, b] = [newTenant(), newTenant()];
    const id = await createLoadTest(a, "mine");
    const ofA = await get<List<LoadTestView>>("/v1/load-tests", a);
    const ofB = await get<List<LoadTestView>>("/v1/load-tests", b);
    const oneOfB = await get(`/v1/load-tests/${id}`, b);
    const runsOfB = await get<List<RunView>>("/v1/runs", b);
    expect([ofA.body.total, ofB.body.total, oneOfB.status, runsOfB.body.total]).toEqual([1, 0, 404, 0]);
    // and a 404 is not kept: the load test of that id created for b is found at once
    await createLoadTest(b, "theirs", id);
    expect((await get<LoadTestView>(`/v1/load-tests/${id}`, b)).body).toMatchObject({ tenantId: b, name: "theirs" });
  });

  it("a bad query is still a 400 naming its field, cached answers or not", async () => {
    const tenant = newTenant();
    await get("/v1/runs?limit=50", tenant);
    const bad = await get<{ error: { field: string } }>("/v1/runs?limit=50&status=nope", tenant);
    expect([bad.status, bad.body.error.field]).toEqual([400, "status"]);
  });
});
