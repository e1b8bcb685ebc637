import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EventEnvelope, RunView } from "@loadline/core";
import { connectNats, JetStreamEventStore, type NatsConnection } from "@loadline/nats";
import { rebuildProjection } from "@loadline/projections";
import { createLogger, loadConfig } from "@loadline/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../src/commands/run.ts";
import { EXIT } from "../src/exit-codes.ts";
import { type StackFixture, startTestStack } from "./fixture.ts";

/**
 * Verdicts on the demo target's known behaviour: `/fixed?ms=20` answers after 20 ms, `/error`
 * fails a known share. Thresholds are judged centrally on the exact merged windows, so a
 * threshold's observed value is the figure the aggregate shows.
 */
let f: StackFixture;
let nc: NatsConnection;
beforeAll(async () => {
  f = await startTestStack();
  nc = await connectNats(f.stack.natsUrl, "verdicts-test");
}, 60_000);
afterAll(async () => {
  await nc?.close();
  await f?.close();
});

const log = createLogger("test", "silent");
const ctx = () => ({ config: loadConfig({}), log, port: 0, dataDir: f.dataDir });

const spec = (thresholds: Record<string, unknown>, over: Record<string, unknown> = {}) => ({
  name: "verdicts",
  targetUrl: f.stack.demoTarget!.url,
  requests: [
    { name: "fixed", method: "GET", path: "/fixed?ms=20" },
    { name: "error", method: "GET", path: "/error?rate=0.5&ms=1" },
  ],
  defaultUsers: 4,
  defaultSpawnRate: 100,
  defaultDurationSec: 3,
  thresholds,
  ...over,
});

async function judged(body: unknown): Promise<RunView> {
  const test = await f.api.createLoadTest(body as never);
  const started = await f.api.startRun(test.id);
  await f.api.waitForEnd(started.id, 60_000);
  return f.api.waitForVerdict(started.id, 20_000);
}

const eventsOf = async (runId: string): Promise<EventEnvelope[]> =>
  (await new JetStreamEventStore(nc, f.stack.ns).read("default", { type: "run", id: runId })).events.map((e) => e.event);

describe("verdicts", () => {
  it("passes a run within its thresholds, each observed value the exact figure of the aggregate", async () => {
    const ended = await judged(
      spec({
        "latency{name:fixed}": ["p(50) > 19", "p(99) < 1000"],
        "error_rate{name:fixed}": ["rate == 0"],
        requests: ["count > 10"],
      }),
    );
    expect(ended.status).toBe("Completed");
    expect(ended.verdict).toBe("passed");
    expect(ended.thresholds).toHaveLength(4);
    await f.api.waitForProjections(10_000);
    const { endpoints } = await f.api.endpoints(ended.id);
    const fixed = endpoints.find((e) => e.name === "fixed")!;
    const p50 = ended.thresholds.find((t) => t.expression === "p(50) > 19")!;
    expect(p50.observed).toBe(fixed.latency.p50);
    const total = await f.api.aggregate(ended.id);
    expect(ended.thresholds.find((t) => t.metric === "requests")!.observed).toBe(total.requests);
  }, 90_000);

  it("fails a run that breaks one, with the observed value; the CLI exits 99", async () => {
    const dir = mkdtempSync(join(tmpdir(), "loadline-verdict-"));
    const file = join(dir, "test.json");
    writeFileSync(file, JSON.stringify(spec({ "error_rate{name:error}": ["rate < 0.1"], "latency{name:fixed}": ["p(95) < 5000"] })));
    expect(await run(ctx(), file, f.stack.apiUrl)).toBe(EXIT.thresholdsFailed);
    const { items } = (await (await f.api.fetch("/v1/runs")).json()) as { items: RunView[] };
    const ended = await f.api.run(items[0]!.id);
    expect(ended.verdict).toBe("failed");
    const errorRate = ended.thresholds.find((t) => t.metric === "error_rate{name:error}")!;
    expect(errorRate.passed).toBe(false);
    expect(errorRate.observed).toBeGreaterThan(0.3); // the target fails half of them
    expect(ended.thresholds.find((t) => t.metric === "latency{name:fixed}")!.passed).toBe(true);
    const types = (await eventsOf(ended.id)).map((e) => e.type);
    expect(types).toContain("run.threshold-crossed");
    // Judged while Analyzing, then ended: the verdict is on record before the run is Completed.
    expect(types.slice(-2)).toEqual(["run.verdict-recorded", "run.completed"]);
  }, 90_000);

  it("stops a run within 2 s of an abortOnFail threshold's crossing, and says why", async () => {
    const ended = await judged(
      spec({ "latency{name:fixed}": [{ threshold: "p(95) < 5", abortOnFail: true }] }, { defaultDurationSec: 60 }),
    );
    expect(ended.status).toBe("Completed");
    expect(ended.stopReason).toBe("threshold");
    expect(ended.verdict).toBe("failed");
    const events = await eventsOf(ended.id);
    const crossed = events.find((e) => e.type === "run.threshold-crossed")!;
    const stopping = events.find((e) => e.type === "run.stopping")!;
    const gapMs = Date.parse(stopping.time) - Date.parse(crossed.time);
    expect(gapMs).toBeGreaterThanOrEqual(0);
    expect(gapMs).toBeLessThan(2_000);
    expect(Date.parse(ended.finishedAt!) - Date.parse(ended.startedAt!)).toBeLessThan(15_000);
  }, 90_000);

  it("refuses a bad threshold expression at create time, naming the field", async () => {
    const res = await f.api.fetch("/v1/load-tests", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(spec({ latency: ["p(95) < 300", "p(101) < 300"] })),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { field: string } }).error.field).toBe("thresholds.latency.1");
  });

  it("judges baseline-relative thresholds against the test's baseline run", async () => {
    const test = await f.api.createLoadTest(spec({ "latency{name:fixed}": ["p(50) > 0"] }) as never);
    const setBaseline = (runId: string) =>
      f.api.fetch(`/v1/load-tests/${test.id}/baseline`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ runId }),
      });
    const first = await f.api.startRun(test.id);
    const early = await setBaseline(first.id); // still running: not a baseline yet
    expect(early.status).toBe(409);
    expect(((await early.json()) as { error: { field: string } }).error.field).toBe("runId");
    await f.api.waitForEnd(first.id, 60_000);
    const set = await setBaseline(first.id);
    expect(set.status).toBe(200);
    expect(((await set.json()) as { baselineRunId: string }).baselineRunId).toBe(first.id);

    // The fixed endpoint answers in 20 ms both times: within 50% of the baseline's median, not within half of it.
    const relative = { "latency{name:fixed}": ["p(50) < baseline * 1.5", "p(50) < baseline * 0.5"] };
    const second = await f.api.startRun(test.id, { thresholds: relative });
    await f.api.waitForEnd(second.id, 60_000);
    const judgedRun = await f.api.waitForVerdict(second.id, 20_000);
    expect(judgedRun.verdict).toBe("failed");
    const [within, half] = judgedRun.thresholds;
    expect(within).toMatchObject({ expression: "p(50) < baseline * 1.5", passed: true });
    expect(half).toMatchObject({ expression: "p(50) < baseline * 0.5", passed: false });
    expect(half!.observed).toBeGreaterThan(19);
  }, 120_000);

  it("runs a file again as the same test: its baseline carries, and --compare baseline prints the comparison", async () => {
    const dir = mkdtempSync(join(tmpdir(), "loadline-baseline-"));
    const file = join(dir, "test.json");
    const body = { ...spec({ "latency{name:fixed}": ["p(50) < baseline * 1.5"] }), name: "from a file" };
    writeFileSync(file, JSON.stringify(body));
    expect(await run(ctx(), file, f.stack.apiUrl)).toBe(EXIT.completed); // no baseline yet: a relative rule cannot fail
    const test = (await (await f.api.fetch("/v1/load-tests?limit=500")).json()) as { items: { id: string; name: string }[] };
    const mine = test.items.filter((t) => t.name === "from a file");
    expect(mine).toHaveLength(1);
    const { items } = (await (await f.api.fetch(`/v1/runs?loadTestId=${mine[0]!.id}`)).json()) as { items: RunView[] };
    const baseline = items[0]!.id;
    const set = await f.api.fetch(`/v1/load-tests/${mine[0]!.id}/baseline`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ runId: baseline }),
    });
    expect(set.status).toBe(200);

    const printed: string[] = [];
    const original = console.log;
    console.log = (m: unknown) => printed.push(String(m));
    let code: number;
    try {
      code = await run(ctx(), file, f.stack.apiUrl, undefined, "baseline");
    } finally {
      console.log = original;
    }
    expect(code).toBe(EXIT.completed);
    expect(printed.join("\n")).toContain(`compared with run ${baseline} (the load test's baseline)`);
    const after = (await (await f.api.fetch("/v1/load-tests?limit=500")).json()) as { items: { id: string; name: string }[] };
    expect(after.items.filter((t) => t.name === "from a file").map((t) => t.id)).toEqual([mine[0]!.id]);
    const runs = (await (await f.api.fetch(`/v1/runs?loadTestId=${mine[0]!.id}`)).json()) as { items: RunView[] };
    const latest = runs.items[0]!;
    expect(latest.thresholds[0]).toMatchObject({ expression: "p(50) < baseline * 1.5", passed: true });
  }, 120_000);

  it("rebuilds the same verdicts from the stream", async () => {
    const { items } = (await (await f.api.fetch("/v1/runs?limit=50")).json()) as { items: RunView[] };
    const before = items.map((r) => ({ id: r.id, verdict: r.verdict, thresholds: r.thresholds, stopReason: r.stopReason }));
    expect(before.filter((r) => r.verdict !== "none").length).toBeGreaterThanOrEqual(3);
    await rebuildProjection({ url: f.databaseUrl, nc, ns: f.stack.ns, log, name: "events" });
    const after = ((await (await f.api.fetch("/v1/runs?limit=50")).json()) as { items: RunView[] }).items.map((r) => ({
      id: r.id,
      verdict: r.verdict,
      thresholds: r.thresholds,
      stopReason: r.stopReason,
    }));
    expect(after).toEqual(before);
  }, 60_000);

  it("judges the system under test on its agents' telemetry (the stack's agent beside the demo target)", async () => {
    const ended = await judged(
      spec(
        { "sut{series:host.cpu.busy}": ["max <= 100"], "sut{series:host.memory.usedBytes}": ["max < 1"] },
        { sut: { labels: { service: "demo-target" } } },
      ),
    );
    expect(ended.verdict).toBe("failed");
    const [cpu, memory] = ended.thresholds;
    expect(cpu).toMatchObject({ metric: "sut{series:host.cpu.busy}", passed: true });
    expect(cpu!.observed).not.toBeNull();
    expect(memory).toMatchObject({ passed: false });
    // The observed value is the largest of the run's SUT seconds the read side keeps (the same telemetry).
    await f.api.waitForProjections(10_000);
    const sut = (await (await f.api.fetch(`/v1/runs/${ended.id}/sut?series=host.memory.usedBytes`)).json()) as {
      series: { points: [number, number][] }[];
    };
    const kept = sut.series.flatMap((s) => s.points.map(([, v]) => v));
    expect(kept.length).toBeGreaterThan(0);
    expect(memory!.observed).toBeGreaterThanOrEqual(Math.max(...kept) * 0.5);
    expect(memory!.observed).toBeLessThanOrEqual(Math.max(...kept) * 2);
  }, 90_000);
});
