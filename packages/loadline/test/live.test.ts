import type { RunView } from "@loadline/core";
import type { LiveSecond } from "@loadline/projections";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoadlineClient } from "../src/client.ts";
import { readSse, type SseEvent } from "../src/testing/sse.ts";
import { type StackFixture, startTestStack } from "./fixture.ts";

/** The live push: a run's stream and a tenant's, on the real stack (NATS, Postgres, orchestrator, worker, projector). */
let f: StackFixture;
beforeAll(async () => {
  f = await startTestStack();
}, 60_000);
afterAll(async () => {
  await f?.close();
});

const spec = (durationSec: number) => ({
  name: `live-${durationSec}`,
  targetUrl: f.stack.demoTarget!.url,
  requests: [
    { name: "fast", method: "GET", path: "/fixed?ms=2" },
    { name: "slow", method: "GET", path: "/fixed?ms=20" },
  ],
  defaultUsers: 4,
  defaultSpawnRate: 100,
  defaultDurationSec: durationSec,
});

/** Opens a live stream; `take` stops reading after that many events (the connection is dropped), `until` after the event it accepts. */
async function listen(
  path: string,
  opts: {
    lastEventId?: string;
    take?: number;
    until?: (e: SseEvent) => boolean;
    onEvent?: (e: SseEvent) => void;
    timeoutMs?: number;
    client?: LoadlineClient;
  } = {},
) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs ?? 30_000);
  const res = await (opts.client ?? f.api).fetch(path, {
    headers: opts.lastEventId ? { "last-event-id": opts.lastEventId } : {},
    signal: controller.signal,
  });
  const events: SseEvent[] = [];
  try {
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    for await (const e of readSse(res.body!)) {
      events.push(e);
      opts.onEvent?.(e);
      if (e.event === "end" || events.length === opts.take || opts.until?.(e)) break;
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}

const secondsIn = (events: readonly SseEvent[]) => events.filter((e) => e.event === "second").map((e) => JSON.parse(e.data) as LiveSecond);
/** A run's state without lastMetrics, which follows the metrics rather than the run's events. */
const stateOf = ({ lastMetrics: _, ...state }: RunView) => state;
/** The latest value of each second, as a client that replaces a second by a later one keeps it. */
const latest = (seconds: readonly LiveSecond[]) => new Map(seconds.map((s) => [s.second, s]));

describe("live push", () => {
  it("streams a run as it happens, resumes by Last-Event-ID without loss or repeats, and ends with the run", async () => {
    const test = await f.api.createLoadTest(spec(4) as never);
    const run = await f.api.startRun(test.id);
    // A client that drops after a few events, and resumes from its last id.
    const first = await listen(`/v1/runs/${run.id}/live`, { take: 4 });
    expect(first[0]!.event).toBe("run");
    const rest = await listen(`/v1/runs/${run.id}/live`, { lastEventId: first.at(-1)!.id! });
    expect(rest.at(-1)).toMatchObject({ event: "end" });
    const all = [...first, ...rest];
    // No repeats: no change comes twice, across the two connections. (A second comes again when a
    // window is added to it, even one that adds nothing, as a worker's idle second does.)
    const ids = all.filter((e) => e.event !== "end").map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const changes = all.filter((e) => e.event === "second").map((e) => e.id!.split(".").slice(1).join("."));
    expect(new Set(changes).size).toBe(changes.length);

    // No loss: the seconds as the client holds them are the read model's, figure for figure.
    const held = latest(secondsIn(all));
    const series = (await (await f.api.fetch(`/v1/runs/${run.id}/metrics/timeseries?step=1s`)).json()) as {
      points: { time: string; requests: number; p99: number }[];
    };
    const withData = series.points.filter((p) => p.requests > 0);
    expect(withData.length).toBeGreaterThanOrEqual(3);
    expect([...held.values()].map((s) => ({ time: s.time, requests: s.all.requests, p99: s.all.p99 }))).toEqual(
      withData.map((p) => ({ time: p.time, requests: p.requests, p99: p.p99 })),
    );
    const aggregate = (await (await f.api.fetch(`/v1/runs/${run.id}/metrics/aggregate`)).json()) as { requests: number };
    expect([...held.values()].reduce((n, s) => n + s.all.requests, 0)).toBe(aggregate.requests);
    // Per endpoint too.
    expect([...new Set([...held.values()].flatMap((s) => s.endpoints.map((e) => e.name)))].sort()).toEqual(["fast", "slow"]);
    for (const s of held.values()) expect(s.endpoints.reduce((n, e) => n + e.requests, 0)).toBe(s.all.requests);

    // The run's state changes came as they were projected, the last one final.
    const states = all.filter((e) => e.event === "run").map((e) => JSON.parse(e.data) as RunView);
    expect(states.at(-1)!.status).toBe("Completed");
    expect(JSON.parse(rest.at(-1)!.data)).toEqual({ status: "Completed" });

    // A finished run's stream is its whole history, the same as the live client saw, then end.
    const replay = await listen(`/v1/runs/${run.id}/live`);
    expect(latest(secondsIn(replay))).toEqual(held);
    expect(replay.filter((e) => e.event === "run").map((e) => stateOf(JSON.parse(e.data)))).toEqual([stateOf(states.at(-1)!)]);
    expect(replay.at(-1)!.event).toBe("end");

    // Without endpoints: the same seconds, their totals only.
    const totals = secondsIn(await listen(`/v1/runs/${run.id}/live?endpoints=false`));
    expect(totals.every((s) => s.endpoints === undefined)).toBe(true);
    expect(new Map(totals.map((s) => [s.second, s.all]))).toEqual(new Map([...held].map(([second, s]) => [second, s.all])));

    // Resuming from the replay's middle gives exactly the rest of it.
    const k = Math.floor(replay.length / 2);
    expect(await listen(`/v1/runs/${run.id}/live`, { lastEventId: replay[k]!.id! })).toEqual(replay.slice(k + 1));
  }, 60_000);

  it("streams a tenant's run list changes from the moment it is opened, and after a cursor", async () => {
    let ready: () => void = () => undefined;
    const opened = new Promise<void>((resolve) => (ready = resolve));
    let runId = "";
    const isFinal = (e: SseEvent) => e.event === "run" && JSON.parse(e.data).id === runId && JSON.parse(e.data).status === "Completed";
    const feed = listen("/v1/live", { until: isFinal, onEvent: (e) => e.event === "ready" && ready() });
    await opened;
    const test = await f.api.createLoadTest(spec(1) as never);
    runId = (await f.api.startRun(test.id)).id;
    const events = await feed;
    expect(events[0]!.event).toBe("ready");
    const states = events.filter((e) => e.event === "run").map((e) => JSON.parse(e.data) as RunView);
    // Only what changed after it was opened; this run's states in order, coalesced as they were projected.
    expect(states.every((s) => s.id === runId)).toBe(true);
    expect(states.at(-1)!.status).toBe("Completed");
    const versions = states.map((s) => s.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    // From the ready cursor again: the run's changes since, up to its final state, with nothing before it.
    const again = await listen("/v1/live", { lastEventId: events[0]!.id!, until: isFinal });
    expect(again.map((e) => JSON.parse(e.data).id)).toEqual([runId]);
    // Its state as it is now: the final one.
    expect(stateOf(JSON.parse(again[0]!.data))).toEqual(stateOf(states.at(-1)!));
  }, 60_000);

  it("lets go of every client that left: nothing held for them", async () => {
    const clients = async () =>
      Number(/^loadline_live_clients(?:\{[^}]*\})? (\d+)$/m.exec(await (await f.api.fetch("/metrics")).text())?.[1]);
    const test = await f.api.createLoadTest(spec(2) as never);
    const run = await f.api.startRun(test.id);
    await Promise.all([...Array(20)].map(() => listen(`/v1/runs/${run.id}/live`, { take: 2 })));
    await Promise.all([...Array(5)].map(() => listen("/v1/live", { take: 1 })));
    const deadline = Date.now() + 5_000;
    while ((await clients()) !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await clients()).toBe(0);
    await f.api.waitForEnd(run.id, 30_000);
  }, 60_000);

  it("answers 404 naming the id for a run of another tenant or none, and 400 for a bad Last-Event-ID", async () => {
    const other = await f.api.fetch(`/v1/runs/${"0".repeat(8)}/live`);
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error: { field: string } }).error.field).toBe("id");
    const bad = await f.api.fetch("/v1/live", { headers: { "last-event-id": "x.y" } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe("Last-Event-ID");
  });
});
