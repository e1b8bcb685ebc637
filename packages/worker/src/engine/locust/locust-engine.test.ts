import { decodeHistogram, type Executor, type MetricWindow, type RunPlan, runPlan } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { type CountingServer, countingServer } from "../../test-support.ts";
import { createLoadEngine, LOCUST_NOT_ENABLED } from "../engine-factory.ts";
import { ALL_LANES, type LaneShare, startNow } from "../load-engine.ts";
import { LocustEngine } from "./locust-engine.ts";

/*
 * Real Locust (Debian's python3-locust) against servers on 127.0.0.1: every request it makes is
 * in the windows, as many as the server saw, with their latencies and failure kinds.
 */

const servers: CountingServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(opts: Parameters<typeof countingServer>[0] = {}): Promise<CountingServer> {
  const s = await countingServer(opts);
  servers.push(s);
  return s;
}

const plan = (targetUrl: string, locustfile: string, users = 2, durationSec = 2): RunPlan =>
  runPlan(
    { targetUrl, engine: "locust", locustfile, workload: { type: "constant-vus", vus: users, durationSec, spawnRate: 100 } },
    { targetUsers: users, spawnRate: 100, durationSec },
  );

const withWorkload = (targetUrl: string, locustfile: string, workload: Executor): RunPlan =>
  runPlan({ targetUrl, engine: "locust", locustfile, workload }, { targetUsers: 1, spawnRate: 1, durationSec: 1 });

/** An engine for a plan's share, begun now, with what it hands over. */
async function started(p: RunPlan, share: LaneShare = ALL_LANES) {
  const windows: MetricWindow[] = [];
  const errors: unknown[] = [];
  let abortedAfterGrace = false;
  const engine = new LocustEngine({
    runId: "r-locust",
    workerId: "w1",
    plan: p,
    share,
    onWindows: (w) => windows.push(...w),
    onError: (err) => errors.push(err),
    onAbortedAfterGrace: () => {
      abortedAfterGrace = true;
    },
  });
  const ticker = setInterval(() => engine.tick(Math.floor(Date.now() / 1000)), 200);
  await startNow(engine);
  const stop = async (capMs?: number) => {
    const totals = await engine.stop(capMs);
    clearInterval(ticker);
    return { windows, totals, errors, abortedAfterGrace, peakUsers: Math.max(...windows.map((w) => w.activeUsers)) };
  };
  return { engine, stop };
}

/** Runs a plan's share with Locust to its end: the windows it handed over, and its totals. */
async function runToEnd(p: RunPlan, share: LaneShare = ALL_LANES) {
  const { engine, stop } = await started(p, share);
  await engine.finished;
  return stop();
}

const rows = (windows: MetricWindow[]) => windows.flatMap((w) => w.requests);
const byName = (windows: MetricWindow[]) => {
  const out: Record<string, { count: number; failures: number; kinds: Record<string, number>; interrupted: number }> = {};
  for (const r of rows(windows)) {
    const row = (out[r.name] ??= { count: 0, failures: 0, kinds: {}, interrupted: 0 });
    row.count += r.count;
    row.failures += r.failures;
    row.interrupted += r.interrupted ?? 0;
    for (const [k, n] of Object.entries(r.failuresByKind ?? {})) row.kinds[k] = (row.kinds[k] ?? 0) + n;
  }
  return out;
};

const SHOP = `
from locust import HttpUser, FastHttpUser, constant, task

class Shopper(HttpUser):
    wait_time = constant(0.02)

    @task(3)
    def home(self):
        self.client.get("/home")

    @task
    def broken(self):
        self.client.get("/broken", name="broken")

    @task
    def checked(self):
        with self.client.get("/home?checked", name="checked", catch_response=True) as r:
            r.failure("the page lacks its title")

class Fast(FastHttpUser):
    wait_time = constant(0.02)

    @task
    def fast(self):
        self.client.get("/fast")
`;

/**
 * What the target received of the windows' requests: every one counted, and of those interrupted
 * in flight (Locust killed them at its stop or a rebalance) any number, as a killed request may
 * not have reached it yet (seen: 245 counted and interrupted, 244 received).
 */
function expectReceived(requests: readonly { count: number; interrupted?: number }[], received: number): void {
  const counted = requests.reduce((n, r) => n + r.count, 0);
  const interrupted = requests.reduce((n, r) => n + (r.interrupted ?? 0), 0);
  expect(received).toBeGreaterThanOrEqual(counted);
  expect(received).toBeLessThanOrEqual(counted + interrupted);
}

describe("LocustEngine", () => {
  it("records every request Locust makes: the windows count exactly what the server received, with plausible latencies and failure kinds", async () => {
    const target = await server({ delayMs: 5, status: (req) => (req.url === "/broken" ? 500 : 200) });
    const { windows, totals, errors, peakUsers } = await runToEnd(plan(target.url, SHOP, 4, 2));
    expect(errors).toEqual([]);
    const names = byName(windows);
    const counted = Object.values(names).reduce((n, r) => n + r.count, 0);
    expect(counted).toBeGreaterThan(20);
    expectReceived(Object.values(names), target.total());
    expect(totals.requests).toBe(counted);
    // A request Locust killed in flight (its stop_timeout ran out, or its ramp-up rebalanced users) is interrupted: the target may have had it.
    for (const [name, path] of [
      ["/home", "GET /home"],
      ["/fast", "GET /fast"],
      ["broken", "GET /broken"],
      ["checked", "GET /home?checked"],
    ] as const)
      expectReceived([names[name]!], target.received.get(path) ?? 0);
    expect(names.broken).toMatchObject({ failures: names.broken!.count, kinds: { "5xx": names.broken!.count } });
    expect(names.checked).toMatchObject({ failures: names.checked!.count, kinds: { check: names.checked!.count } });
    expect(names["/home"]!.failures).toBe(0);
    expect(totals.failures).toBe(names.broken!.count + names.checked!.count);
    expect(peakUsers).toBe(4);

    // Latency in µs, exact per request: at least the server's 5 ms, far below a second; FastHttpUser's too (Locust would round it to whole ms).
    for (const name of ["/home", "/fast"]) {
      const h = rows(windows)
        .filter((r) => r.name === name && r.count > 0)
        .map((r) => decodeHistogram(r.histogram));
      const merged = h[0]!;
      for (const other of h.slice(1)) merged.add(other);
      expect(merged.totalCount).toBe(names[name]!.count);
      expect(merged.minNonZeroValue).toBeGreaterThanOrEqual(4_500);
      expect(merged.getValueAtPercentile(50)).toBeLessThan(200_000);
      expect(merged.getValueAtPercentile(50) % 1000).not.toBe(0);
    }
    const statuses = rows(windows).find((r) => r.name === "/home" && r.count > 0);
    expect(statuses).toMatchObject({ method: "GET", protocol: "http/1.1", statusCodes: { "200": expect.any(Number) } });
  }, 30_000);

  it("runs a worker's lanes' share of the users", async () => {
    const target = await server({ delayMs: 2 });
    const p = plan(target.url, SHOP, 5, 1);
    // Lanes 1 and 3 of 4 hold VUs 1 and 3 of 0..4: two users.
    const { windows, peakUsers } = await runToEnd(p, { laneCount: 4, lanes: [1, 3] });
    expect(peakUsers).toBe(2);
    expectReceived(rows(windows), target.total());
  }, 30_000);

  it("takes lanes a lost worker left: their users join the run at once, and end with it", async () => {
    const target = await server({ delayMs: 1 });
    // Joining a run under way: begun with no lane, then given one (worker.ts).
    const { engine, stop } = await started(plan(target.url, SHOP, 2, 2), { laneCount: 1, lanes: [] });
    engine.addLanes([0]);
    await engine.finished;
    const { windows, peakUsers } = await stop();
    expect(peakUsers).toBe(2);
    expectReceived(rows(windows), target.total());
  }, 30_000);

  it("ramps a ramping-vus workload's users stage by stage, and ends with it", async () => {
    const target = await server({ delayMs: 1 });
    const ramp: Executor = {
      type: "ramping-vus",
      startVUs: 0,
      stages: [
        { durationSec: 1, target: 3 },
        { durationSec: 1, target: 3 },
      ],
    };
    const t0 = Date.now();
    const { windows, peakUsers } = await runToEnd(withWorkload(target.url, SHOP, ramp));
    expect(Date.now() - t0).toBeLessThan(8_000);
    expect(peakUsers).toBe(3);
    expectReceived(rows(windows), target.total());
  }, 30_000);

  const SLOW = `
from locust import HttpUser, constant, task

class Patient(HttpUser):
    wait_time = constant(0)

    @task
    def slow(self):
        self.client.get("/slow")
`;

  it("at a stop, lets requests in flight finish within the graceful stop: counted, none interrupted", async () => {
    const target = await server({ delayMs: 700 });
    const { stop } = await started(withWorkload(target.url, SLOW, { type: "constant-vus", vus: 2, durationSec: 60, gracefulStop: "5s" }));
    await eventually(() => target.total() >= 2, 10_000);
    const { windows, totals, abortedAfterGrace } = await stop();
    expect(totals.requests).toBe(target.total());
    expect(rows(windows).reduce((n, r) => n + (r.interrupted ?? 0), 0)).toBe(0);
    expect(abortedAfterGrace).toBe(false);
  }, 30_000);

  it("at a stop whose grace is over, interrupts the requests still in flight: counted as interrupted only, as the built-in engine does", async () => {
    const target = await server({ delayMs: 5_000 });
    const { stop } = await started(withWorkload(target.url, SLOW, { type: "constant-vus", vus: 2, durationSec: 60 }));
    await eventually(() => target.total() >= 2, 10_000);
    const t0 = Date.now();
    const { windows, totals, abortedAfterGrace } = await stop(0);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(totals).toEqual({ requests: 0, failures: 0 });
    expect(byName(windows)["/slow"]).toMatchObject({ count: 0, interrupted: target.total() });
    expect(abortedAfterGrace).toBe(true);
  }, 30_000);

  it("fails to prepare a locustfile that does not import, saying why", async () => {
    const engine = new LocustEngine({
      runId: "r-bad",
      workerId: "w1",
      plan: plan("http://127.0.0.1:9", "from locust import HttpUser\nraise ValueError('no such fixture')\n"),
      share: ALL_LANES,
      onWindows: () => undefined,
      onError: () => undefined,
    });
    await expect(engine.prepare()).rejects.toThrow(/Locust exited .*before it was ready: .*ValueError: no such fixture/);
    expect(await engine.stop()).toEqual({ requests: 0, failures: 0 });
  }, 30_000);

  it("is refused on a worker that did not turn the Locust engine on", () => {
    const options = {
      runId: "r",
      workerId: "w",
      plan: plan("http://127.0.0.1:9", SHOP),
      share: ALL_LANES,
      threads: 1,
      onWindows: () => undefined,
      onError: () => undefined,
    };
    expect(() => createLoadEngine(options)).toThrow(LOCUST_NOT_ENABLED);
    expect(createLoadEngine({ ...options, engines: ["locust"] })).toBeInstanceOf(LocustEngine);
  });
});

describe("LocustEngine's target guard", () => {
  it("lets Locust reach the test's target only: a request to any other address fails blocked and never arrives", async () => {
    const target = await server({ delayMs: 1 });
    const other = await server({ delayMs: 1 });
    const locustfile = `
import socket
from locust import HttpUser, constant, task

class Roamer(HttpUser):
    wait_time = constant(0.05)

    @task
    def allowed(self):
        self.client.get("/ok")

    @task
    def elsewhere(self):
        self.client.get("${other.url}/stolen", name="elsewhere")

    @task
    def raw_socket(self):
        try:
            socket.create_connection(("127.0.0.1", ${new URL(other.url).port}), timeout=1).close()
        except PermissionError:
            pass
`;
    const { windows } = await runToEnd(plan(target.url, locustfile, 2, 2));
    const names = byName(windows);
    expect(names["/ok"]!.count).toBeGreaterThan(0);
    expect(names["/ok"]!.failures).toBe(0);
    expect(names.elsewhere!.count).toBeGreaterThan(0);
    expect(names.elsewhere).toMatchObject({ failures: names.elsewhere!.count, kinds: { blocked: names.elsewhere!.count } });
    expect(other.total()).toBe(0);
  }, 30_000);

  it("approves nothing when the tenant's policy refuses the target: every request fails blocked, none arrives", async () => {
    const target = await server({ delayMs: 1 });
    const p = { ...plan(target.url, SHOP, 2, 1), targetPolicy: { allow: ["*"], loopback: false, privateNetworks: false } };
    const warnings: string[] = [];
    const windows: MetricWindow[] = [];
    const engine = new LocustEngine({
      runId: "r-policy",
      workerId: "w1",
      plan: p,
      share: ALL_LANES,
      onWindows: (w) => windows.push(...w),
      onError: () => undefined,
      onWarning: (m) => warnings.push(m),
    });
    await startNow(engine);
    await engine.finished;
    const totals = await engine.stop();
    expect(warnings.join("\n")).toMatch(/loopback/);
    expect(totals.requests).toBeGreaterThan(0);
    expect(totals.failures).toBe(totals.requests);
    const kinds = new Set(rows(windows).flatMap((r) => Object.keys(r.failuresByKind ?? {})));
    expect(kinds).toEqual(new Set(["blocked"]));
    expect(target.total()).toBe(0);
  }, 30_000);
});
