// The replay section's domain events: load tests and runs going through their life cycles
// (from a seeded generator, so every run publishes the same history), and what the read model
// must hold once they are all applied.
import { type LoadTestSpec, type NewEvent, newId, seededRandom } from "@loadline/core";

const TENANTS = ["acme", "globex", "initech", "umbrella"];

export type Draft = { tenantId: string; aggregate: { type: "load-test" | "run"; id: string }; event: NewEvent; correlationId: string };

const spec = (name: string, users: number): LoadTestSpec => ({
  name,
  tags: ["bench", name.split("-")[0]!],
  targetUrl: "http://shop.internal:8080",
  requests: [
    { name: "home", method: "GET", path: "/" },
    { name: "search", method: "GET", path: "/search?q=shoes" },
    { name: "buy", method: "POST", path: "/orders", headers: { "content-type": "application/json" }, body: '{"sku":"A1","qty":1}' },
  ],
  defaultUsers: users,
  defaultSpawnRate: 10,
  defaultDurationSec: 300,
});

/**
 * One load test's life: created, then several runs one after the other (most complete, some
 * are stopped by hand, fail or are cancelled), an edit now and then, sometimes a deletion.
 */
function* loadTestLife(rand: () => number, expect: Expectation): Generator<Draft> {
  const tenantId = TENANTS[Math.floor(rand() * TENANTS.length)]!;
  const loadTestId = newId();
  const lt = { type: "load-test" as const, id: loadTestId };
  const name = `checkout-${loadTestId.slice(-6)}`;
  expect.loadTest(tenantId, loadTestId, true); // before the yield: the last event asked for may be this one
  yield { tenantId, aggregate: lt, correlationId: loadTestId, event: { type: "load-test.created", data: { spec: spec(name, 50) } } };
  const runsOfIt = 4 + Math.floor(rand() * 9);
  for (let r = 0; r < runsOfIt; r++) {
    if (rand() < 0.15) {
      yield {
        tenantId,
        aggregate: lt,
        correlationId: loadTestId,
        event: { type: "load-test.updated", data: { spec: spec(name, 50 + r * 10) } },
      };
    }
    const runId = newId();
    const run = { type: "run" as const, id: runId };
    const ev = (event: NewEvent): Draft => {
      expect.runEvent(tenantId, runId, event.type);
      return { tenantId, aggregate: run, correlationId: runId, event };
    };
    const workers = Array.from({ length: 1 + Math.floor(rand() * 6) }, (_, i) => `w-host${i}-${runId.slice(-6)}`);
    const users = 10 * workers.length * (1 + Math.floor(rand() * 10));
    yield ev({
      type: "run.created",
      data: {
        loadTestId,
        targetUsers: users,
        spawnRate: 10,
        durationSec: 300,
        target: { targetUrl: "http://shop.internal:8080", requests: spec(name, users).requests! },
      },
    });
    const fate = rand();
    if (fate < 0.03) {
      yield ev({ type: "run.cancelled", data: { reason: "stopped before it was assigned", finishedAt: new Date().toISOString() } });
      continue;
    }
    const share = Math.floor(users / workers.length);
    for (const [i, workerId] of workers.entries()) {
      yield ev({
        type: "run.worker-assigned",
        data: { workerId, lanes: [i], laneCount: workers.length, vus: share, arrivalRate: 0, reason: "plan" },
      });
    }
    if (fate < 0.06) {
      yield ev({ type: "run.failed", data: { reason: "no live worker to run the load", finishedAt: new Date().toISOString() } });
      continue;
    }
    yield ev({ type: "run.workers-ready", data: { workerIds: workers } });
    yield ev({ type: "run.started", data: { startedAt: new Date().toISOString() } });
    yield ev({ type: "run.stopping", data: { reason: fate < 0.2 ? "requested" : "duration" } });
    for (const workerId of workers)
      yield ev({ type: "run.worker-stopped", data: { workerId, requests: Math.floor(rand() * 1e6), failures: Math.floor(rand() * 100) } });
    yield ev({ type: "run.completed", data: { finishedAt: new Date().toISOString() } });
  }
  if (rand() < 0.1) {
    expect.loadTest(tenantId, loadTestId, false);
    yield { tenantId, aggregate: lt, correlationId: loadTestId, event: { type: "load-test.deleted", data: {} } };
  }
}

const STATUS_AFTER: Record<string, string | undefined> = {
  "run.created": "Pending",
  "run.worker-assigned": "Starting",
  "run.started": "Running",
  "run.stopping": "Stopping",
  "run.completed": "Completed",
  "run.failed": "Failed",
  "run.cancelled": "Cancelled",
};

/** What the read model must hold once every published event is applied. */
export class Expectation {
  readonly runs = new Map<string, { status: string; version: number }>();
  readonly loadTests = new Set<string>();
  loadTest(tenantId: string, id: string, alive: boolean): void {
    if (alive) this.loadTests.add(`${tenantId}/${id}`);
    else this.loadTests.delete(`${tenantId}/${id}`);
  }
  runEvent(tenantId: string, id: string, type: string): void {
    const key = `${tenantId}/${id}`;
    const r = this.runs.get(key) ?? { status: "", version: 0 };
    r.status = STATUS_AFTER[type] ?? r.status;
    r.version++;
    this.runs.set(key, r);
  }
  byStatus(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.runs.values()) out[r.status] = (out[r.status] ?? 0) + 1;
    return out;
  }
}

/** Lives of many load tests at once, their events interleaved as concurrent activity would. */
export function* interleaved(count: number, concurrent: number, expect: Expectation): Generator<Draft> {
  const rand = seededRandom(42);
  const lives: Generator<Draft>[] = Array.from({ length: concurrent }, () => loadTestLife(rand, expect));
  let emitted = 0;
  while (emitted < count) {
    const i = Math.floor(rand() * lives.length);
    const next = lives[i]!.next();
    if (next.done) {
      lives[i] = loadTestLife(rand, expect);
      continue;
    }
    yield next.value;
    emitted++;
  }
}
