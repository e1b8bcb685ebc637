import { decodeHistogram, type MetricWindow, type RunPlan } from "@loadline/core";
import { afterEach, describe, expect, it } from "vitest";
import { startSecondTicker } from "../second-ticker.ts";
import { type CountingServer, countingServer } from "../test-support.ts";
import { ALL_LANES, startNow } from "./load-engine.ts";
import { MultiThreadEngine, threadEntryUrl } from "./multi-thread-engine.ts";

let server: CountingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("MultiThreadEngine", () => {
  it("runs the load over 2 threads and publishes one merged window per second counting what the target got", async () => {
    server = await countingServer({ delayMs: 5 });
    const plan: RunPlan = {
      targetUrl: server.url,
      workload: { type: "constant-arrival-rate", rate: 150, timeUnitSec: 1, durationSec: 2, preAllocatedVUs: 4, maxVUs: 20 },
      scenarios: [
        {
          name: "s",
          weight: 1,
          variables: {},
          steps: [{ type: "request", method: "GET", url: "/a?w={{__worker}}", timeoutMs: 5000, checks: [], extract: [] }],
        },
      ],
    };
    const windows: MetricWindow[] = [];
    const errors: unknown[] = [];
    const engine = new MultiThreadEngine({
      runId: "r1",
      workerId: "w1",
      plan,
      share: ALL_LANES,
      threads: 2,
      onWindows: (w) => windows.push(...w),
      onError: (err) => errors.push(err),
    });
    const ticker = startSecondTicker((second) => engine.tick(second));
    await startNow(engine);
    await engine.finished;
    const totals = await engine.stop(2000);
    ticker.stop();

    expect(errors).toEqual([]);
    expect(server.total()).toBe(300);
    expect([...server.received.keys()]).toEqual(["GET /a?w=w1"]); // {{__worker}}: every thread knows its worker's id
    expect(totals).toEqual({ requests: 300, failures: 0 });
    const seconds = windows.map((w) => w.second);
    expect(seconds).toEqual(seconds.map((_, i) => seconds[0]! + i)); // one window per second, no gap, no repeat
    expect(windows.every((w) => w.requests.length <= 1)).toBe(true); // the threads' parts merged into one row
    const rows = windows.flatMap((w) => w.requests);
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(300);
    expect(rows.every((r) => decodeHistogram(r.histogram).totalCount === r.count)).toBe(true);
    expect(rows.every((r) => decodeHistogram(r.serviceHistogram!).totalCount === r.count)).toBe(true);
    expect(windows.reduce((n, w) => n + (w.iterations ?? 0), 0)).toBe(300);
  });
});

describe("threadEntryUrl", () => {
  it("is the TypeScript entry beside this module when run from source", () => {
    expect(threadEntryUrl().pathname).toMatch(/\/src\/engine\/thread-entry\.ts$/);
  });
});
