import type { MetricWindow, RunPlan } from "@loadline/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { IncomingResponse, OutgoingRequest } from "../scenario/index.ts";
import { TransportFailure } from "../scenario/index.ts";
import { loopLateness } from "../test-support.ts";
import { GracefulStop } from "./graceful-stop.ts";
import { InlineEngine } from "./inline-engine.ts";
import { ALL_LANES, startNow } from "./load-engine.ts";
import type { ClosableTransport } from "./thread-load.ts";

describe("GracefulStop", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("interrupts what still runs its grace after the executor's end; a stop may shorten it, never lengthen it", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const grace = new GracefulStop(1000);
    vi.advanceTimersByTime(5000);
    expect(grace.interrupted).toBe(false); // nothing before the end
    grace.begin();
    vi.advanceTimersByTime(600);
    grace.begin(); // the run's stop comes after the executor's own end: the grace still counts from the end
    vi.advanceTimersByTime(399);
    expect(grace.interrupted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(grace.interrupted).toBe(true);

    const capped = new GracefulStop(30_000);
    capped.begin();
    capped.begin(200);
    vi.advanceTimersByTime(200);
    expect(capped.interrupted).toBe(true);
    const atOnce = new GracefulStop(30_000);
    atOnce.begin(0);
    expect(atOnce.interrupted).toBe(true);
  });

  it("interrupts nothing once every iteration ended", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const grace = new GracefulStop(1000);
    grace.begin();
    grace.settle();
    vi.advanceTimersByTime(2000);
    grace.begin(0);
    expect(grace.interrupted).toBe(false);
  });
});

describe("GracefulStop with a lent signal", () => {
  it("gives its iterations the lent signal and never aborts it: its own end is its own", () => {
    const run = new AbortController();
    const rehearsal = new GracefulStop(0, run.signal);
    expect(rehearsal.signal).toBe(run.signal);
    rehearsal.begin();
    expect(rehearsal.interrupted).toBe(true);
    expect(run.signal.aborted).toBe(false);
  });
});

/** A target that never answers: every request is in flight until the signal gives up on it. */
class HangingTransport implements ClosableTransport {
  sent = 0;
  send(_req: OutgoingRequest, signal: AbortSignal): Promise<IncomingResponse> {
    this.sent++;
    return new Promise((_resolve, reject) => {
      signal.addEventListener("abort", () => reject(new TransportFailure("reset", "aborted")), { once: true });
    });
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const steps = [{ type: "request" as const, method: "GET" as const, url: "/", timeoutMs: 60_000, checks: [], extract: [] }];
const planOf = (workload: RunPlan["workload"]): RunPlan => ({
  targetUrl: "http://127.0.0.1:9",
  workload,
  scenarios: [{ name: "s", weight: 1, variables: {}, steps }],
});

describe("an executor's own end", () => {
  it("gives its iterations its graceful stop, then interrupts them: counted apart, the executor over", async () => {
    const transport = new HangingTransport();
    const windows: MetricWindow[] = [];
    const engine = new InlineEngine(
      {
        runId: "r1",
        workerId: "w1",
        plan: planOf({ type: "per-vu-iterations", vus: 3, iterations: 5, maxDurationSec: 1, gracefulStop: "300ms" }),
        share: ALL_LANES,
        onWindows: (w) => windows.push(...w),
        onError: (err) => expect.unreachable(String(err)),
      },
      transport,
    );
    const lateness = loopLateness();
    const t0 = performance.now();
    await startNow(engine);
    await engine.finished; // no stop asked: the executor ends at maxDurationSec, its iterations 300 ms later
    const took = performance.now() - t0;
    // The run's origin is a Date.now() (whole ms), and a timer may fire a millisecond early.
    expect(took).toBeGreaterThanOrEqual(1300 - 3);
    expect(took).toBeLessThan(1300 + 500 + 2 * lateness());
    expect(await engine.stop()).toEqual({ requests: 0, failures: 0 });
    const requests = windows.flatMap((w) => w.requests);
    expect(transport.sent).toBe(3);
    expect(requests.reduce((n, r) => n + (r.interrupted ?? 0), 0)).toBe(3);
    expect(requests.reduce((n, r) => n + r.count + r.failures, 0)).toBe(0);
    expect(windows.reduce((n, w) => n + (w.interruptedIterations ?? 0), 0)).toBe(3);
    expect(windows.reduce((n, w) => n + (w.iterations ?? 0), 0)).toBe(0);
  });
});
