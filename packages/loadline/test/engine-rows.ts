import { decodeHistogram, type Executor, type MetricWindow, type RunPlan, type Scenario, scenarioSchema } from "@loadline/core";
import { createLoadEngine } from "@loadline/worker";

/** A request name's figures over a run's windows. */
export type Row = {
  p50Us: number;
  count: number;
  failures: number;
  failuresByKind: Record<string, number>;
  messagesIn: number;
  messagesOut: number;
  interrupted: number;
};

/** Runs `steps` as one scenario under `executor` through the worker's engine (no NATS) and folds every window's rows by name. */
export async function runRows(
  targetUrl: string,
  steps: unknown[],
  executor: Executor,
  over: Partial<RunPlan> = {},
  threads = 1,
): Promise<Map<string, Row>> {
  const scenario: Scenario = scenarioSchema.parse({ name: "streams", steps });
  const windows: MetricWindow[] = [];
  const engine = createLoadEngine({
    runId: "streams",
    workerId: "w",
    plan: { targetUrl, workload: executor, scenarios: [scenario], ...over },
    share: { laneCount: 1, lanes: [0] },
    threads,
    allowInline: true,
    onWindows: (w) => windows.push(...w),
    onError: (err) => {
      throw err;
    },
  });
  await engine.prepare();
  engine.begin(Date.now());
  const ticker = setInterval(() => engine.tick(Math.floor(Date.now() / 1000)), 200);
  await engine.finished;
  await engine.stop();
  clearInterval(ticker);
  const rows = new Map<string, Row>();
  for (const r of windows.flatMap((w) => w.requests)) {
    const row = rows.get(r.name) ?? { p50Us: 0, count: 0, failures: 0, failuresByKind: {}, messagesIn: 0, messagesOut: 0, interrupted: 0 };
    // One window holds most rows of these short runs: its median is enough to tell the latency's scale.
    if (r.count > row.count) row.p50Us = decodeHistogram(r.histogram).getValueAtPercentile(50);
    row.count += r.count;
    row.failures += r.failures;
    row.messagesIn += r.messagesIn ?? 0;
    row.messagesOut += r.messagesOut ?? 0;
    row.interrupted += r.interrupted ?? 0;
    for (const [k, n] of Object.entries(r.failuresByKind ?? {})) row.failuresByKind[k] = (row.failuresByKind[k] ?? 0) + n;
    rows.set(r.name, row);
  }
  return rows;
}
