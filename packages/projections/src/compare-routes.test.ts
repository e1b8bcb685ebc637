import { newId, type RunComparisonView, seededRandom } from "@loadline/core";
import { createLogger, devAccess, serviceApp } from "@loadline/service";
import type { Hono } from "hono";
import { beforeAll, describe, expect, it } from "vitest";
import { compareRoutes } from "./compare-routes.ts";
import { reportRoutes } from "./report-routes.ts";
import { appendEvents, loadTestSpec, publishWindow, requestWindow, runCreated } from "./test-fixtures.ts";
import { testProjections } from "./test-projections.ts";

const log = createLogger("compare-routes-test", process.env.TEST_LOG_LEVEL ?? "silent");
const live = testProjections();
const { newTenant, applied } = live;

/** The compare and report routes as the API mounts them, in dev mode: X-Tenant-Id is the caller's tenant. */
let app: Hono;
beforeAll(() => {
  const { readModel } = live.projections;
  app = serviceApp({ log, access: devAccess() }, compareRoutes({ readModel, log }), reportRoutes({ readModel, log }));
});

async function get<T>(path: string, tenant: string): Promise<{ status: number; body: T; text: string }> {
  const res = await app.request(path, { headers: { "X-Tenant-Id": tenant } });
  const text = await res.text();
  return { status: res.status, text, body: (res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : null) as T };
}
type ErrorBody = { error: { code: string; message: string; field?: string } };

/** Log-normal latencies in µs around `medianMs`, seeded. */
function latencies(seed: number, n: number, medianMs: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return Math.max(1, Math.round(medianMs * 1000 * Math.exp(0.4 * normal)));
  });
}

const SECONDS = 60;
/** A whole 10 s bucket to start on: six buckets of ten seconds. */
const S0 = Math.floor(Date.now() / 10_000) * 10 - 600;

/** A run's minute of windows from one worker: `home` (GET) and `login` (POST), 40 requests a second each. */
async function publishRun(
  tenant: string,
  runId: string,
  seed: number,
  shape: { homeMs: number; loginMs: number; loginFailures: (second: number) => number },
): Promise<number> {
  let last = 0;
  for (let s = 0; s < SECONDS; s++) {
    const requests = [
      requestWindow("home", latencies(seed * 10_000 + s * 2, 40, shape.homeMs)),
      requestWindow("login", latencies(seed * 10_000 + s * 2 + 1, 40, shape.loginMs), shape.loginFailures(s), "POST"),
    ];
    last = await publishWindow(live.js, live.env.ns, tenant, { runId, workerId: "w1", second: S0 + s, activeUsers: 4, requests });
  }
  return last;
}

describe("GET /v1/runs/{id}/compare", () => {
  const a = newTenant();
  const b = newTenant();
  const checkout = newId(); // has a baseline
  const other = newId(); // another test, without one
  const [baselineRun, slowerRun, otherTestRun, emptyRun, strangersRun] = [newId(), newId(), newId(), newId(), newId()];

  beforeAll(async () => {
    await appendEvents(live.store, a, { type: "load-test", id: checkout }, [{ type: "load-test.created", data: { spec: loadTestSpec() } }]);
    await appendEvents(live.store, a, { type: "load-test", id: other }, [
      { type: "load-test.created", data: { spec: loadTestSpec({ name: "other" }) } },
    ]);
    for (const [runId, test] of [
      [baselineRun, checkout],
      [slowerRun, checkout],
      [otherTestRun, other],
      [emptyRun, checkout],
    ] as const)
      await appendEvents(live.store, a, { type: "run", id: runId }, [runCreated(test)]);
    await appendEvents(live.store, b, { type: "run", id: strangersRun }, [runCreated(newId())]);
    await applied(
      await appendEvents(live.store, a, { type: "load-test", id: checkout }, [
        { type: "load-test.baseline-set", data: { runId: baselineRun } },
      ]),
    );
    const steady = { homeMs: 20, loginMs: 50, loginFailures: (s: number) => (s % 10 === 0 ? 1 : 0) }; // 0.25% of login
    await publishRun(a, baselineRun, 1, steady);
    // home twice as slow, login as before but failing 10% of the time.
    await publishRun(a, slowerRun, 2, { homeMs: 40, loginMs: 50, loginFailures: () => 4 });
    await publishRun(a, otherTestRun, 3, steady);
    const last = await publishRun(b, strangersRun, 4, steady);
    expect(await live.projections.projectors.metrics.waitFor(last, 20_000)).toBe(true);
  }, 60_000);

  it("compares a run with its load test's baseline: per endpoint and overall, each figure with a verdict", async () => {
    const { status, body } = await get<RunComparisonView>(`/v1/runs/${slowerRun}/compare?to=baseline`, a);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      runId: slowerRun,
      comparedWith: { runId: baselineRun, loadTestId: checkout, via: "baseline", startedAt: null },
      sameTest: true,
      verdict: "worse",
      method: { relativeFloor: 0.05, k: 3, bucketSec: { current: 10, previous: 10 } },
    });
    const [home, login] = body.endpoints;
    expect([home, login].map((e) => [e?.method, e?.name, e?.in, e?.requests])).toEqual([
      ["GET", "home", "both", { current: 2400, previous: 2400 }],
      ["POST", "login", "both", { current: 2400, previous: 2400 }],
    ]);
    const verdictsOf = (m: NonNullable<typeof home>["metrics"]) => Object.fromEntries(Object.entries(m!).map(([k, v]) => [k, v.verdict]));
    expect(verdictsOf(home!.metrics)).toEqual({
      p50: "worse",
      p90: "worse",
      p95: "worse",
      p99: "worse",
      p999: "worse",
      errorRate: "same",
      rps: "same",
    });
    expect(verdictsOf(login!.metrics)).toMatchObject({ p50: "same", p90: "same", p95: "same", errorRate: "worse", rps: "same" });
    expect(login!.metrics!.errorRate).toMatchObject({ previous: 0.0025, current: 0.1 });
    expect(home!.metrics!.p50.relative).toBeGreaterThan(0.8);
    expect(home!.metrics!.rps).toMatchObject({ previous: 40, current: 40, delta: 0, verdict: "same" });
    expect(body.overall.requests).toEqual({ current: 4800, previous: 4800 });
    expect(body.overall.metrics!.errorRate.verdict).toBe("worse");
    expect(body.overall.metrics!.rps).toMatchObject({ previous: 80, current: 80, verdict: "same" });
    // Every figure answers its values, the change and the threshold it was judged against.
    expect(Object.keys(body.overall.metrics!.p95).sort()).toEqual([
      "current",
      "delta",
      "previous",
      "relative",
      "threshold",
      "verdict",
      "z",
    ]);
    expect(body.counts.worse).toBeGreaterThanOrEqual(7);
  });

  it("compares with a run named by its id the same way; with one of another test, saying so", async () => {
    const byBaseline = (await get<RunComparisonView>(`/v1/runs/${slowerRun}/compare?to=baseline`, a)).body;
    const byId = await get<RunComparisonView>(`/v1/runs/${slowerRun}/compare?to=${baselineRun}`, a);
    expect(byId.status).toBe(200);
    expect(byId.body).toEqual({ ...byBaseline, comparedWith: { ...byBaseline.comparedWith, via: "run" } });

    const across = await get<RunComparisonView>(`/v1/runs/${otherTestRun}/compare?to=${baselineRun}`, a);
    expect(across.status).toBe(200);
    expect(across.body).toMatchObject({ sameTest: false, comparedWith: { loadTestId: checkout }, verdict: "same" });
  });

  it("answers a run without data with no figures to judge", async () => {
    const { status, body } = await get<RunComparisonView>(`/v1/runs/${emptyRun}/compare?to=baseline`, a);
    expect(status).toBe(200);
    expect(body).toMatchObject({ verdict: "same", overall: { requests: { current: 0, previous: 4800 }, metrics: null } });
    expect(body.endpoints.map((e) => [e.name, e.in, e.metrics])).toEqual([
      ["home", "previous", null],
      ["login", "previous", null],
    ]);
  });

  it("is 409 for no baseline, 400 naming `to` for no such run or another tenant's run, 404 naming id for the run itself", async () => {
    const cases: [string, string, number, string, RegExp][] = [
      [`/v1/runs/${otherTestRun}/compare?to=baseline`, a, 409, "to", /the load test has no baseline/],
      [`/v1/runs/${otherTestRun}/compare`, a, 409, "to", /the load test has no baseline/],
      [`/v1/runs/${slowerRun}/compare?to=${newId()}`, a, 400, "to", /no run/],
      [`/v1/runs/${slowerRun}/compare?to=not.an.id`, a, 400, "to", /no run/],
      [`/v1/runs/${slowerRun}/compare?to=${strangersRun}`, a, 400, "to", /no run/],
      [`/v1/runs/${strangersRun}/compare?to=${baselineRun}`, b, 400, "to", /no run/],
      [`/v1/runs/${slowerRun}/compare?to=${baselineRun}`, b, 404, "id", /run not found/],
      [`/v1/runs/not.an.id/compare?to=baseline`, a, 404, "id", /run not found/],
      [`/v1/runs/${slowerRun}/compare?to=`, a, 400, "to", /baseline/],
      [`/v1/runs/${slowerRun}/compare?to=%00`, a, 400, "to", /./],
    ];
    for (const [path, tenant, status, field, message] of cases) {
      const res = await get<ErrorBody>(path, tenant);
      expect([res.status, ["not_found", "invalid_request", "conflict"].includes(res.body.error.code), res.body.error.field], path).toEqual([
        status,
        true,
        field,
      ]);
      expect(res.body.error.message, path).toMatch(message);
    }
  });

  it("the HTML report shows the comparison asked for with compare=; other formats refuse it", async () => {
    const html = await get<null>(`/v1/runs/${slowerRun}/report?format=html&compare=baseline`, a);
    expect(html.status).toBe(200);
    expect(html.text).toContain(`Compared with run ${baselineRun}`);
    expect(html.text).toContain('data-comparison="worse"');
    expect(html.text).toMatch(
      /<span class="pill none">GET<\/span> home<\/td><td class="num" title="[^"]*"><span class="pill failed">\+\d+% worse<\/span>/,
    );
    const plain = await get<null>(`/v1/runs/${slowerRun}/report?format=html`, a);
    expect(plain.text).not.toContain("Compared with run");
    const json = await get<ErrorBody>(`/v1/runs/${slowerRun}/report?format=json&compare=baseline`, a);
    expect([json.status, json.body.error.field]).toEqual([400, "compare"]);
    const none = await get<ErrorBody>(`/v1/runs/${otherTestRun}/report?compare=baseline`, a);
    expect([none.status, none.body.error.field]).toEqual([409, "compare"]);
    expect(none.body.error.message).toMatch(/^compare: the load test has no baseline/);
  });
});
