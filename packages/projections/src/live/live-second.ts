import { type MetricsPoint, pointOf } from "@loadline/core";
import { ALL_REQUESTS, type SummaryRow, summaryBucket } from "../rollups.ts";

/** The all-requests figures of a merged second: the point of a timeseries, and the run counters of that second. */
export type LiveSecondTotals = MetricsPoint & {
  droppedIterations: number;
  checksPassed: number;
  checksFailed: number;
  statusCodes: Record<string, number>;
  failuresByKind: Record<string, number>;
};

/** One second of a run, merged over every worker: what `event: second` of a run's live stream carries. */
export type LiveSecond = {
  /** Epoch second. */
  second: number;
  time: string;
  all: LiveSecondTotals;
  endpoints: (MetricsPoint & { method: string; name: string })[];
};

/** A second with the metrics-stream sequence of the batch that last changed it. */
export type ChangedSecond = { seq: number; value: LiveSecond };

/** A row of one second (all requests, or one request name) and the sequence its second last changed at. */
export type SecondRow = SummaryRow & { changedSeq: number };

/** Rows in (changedSeq, bucket) order, the all-requests row among them, into one message per second. */
export function secondsOf(rows: readonly SecondRow[]): ChangedSecond[] {
  const bySecond = new Map<number, SecondRow[]>();
  for (const row of rows) {
    const group = bySecond.get(row.bucket);
    if (group) group.push(row);
    else bySecond.set(row.bucket, [row]);
  }
  const out: ChangedSecond[] = [];
  for (const [second, group] of bySecond) {
    const all = group.find((r) => r.method === ALL_REQUESTS.method && r.name === ALL_REQUESTS.name);
    if (!all) continue; // every window adds to its second's all-requests row: none means none yet
    const endpoints = group
      .filter((r) => r !== all)
      .map((r) => ({ method: r.method, name: r.name, ...pointOf(summaryBucket(r, all)) }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.method.localeCompare(b.method));
    out.push({
      seq: all.changedSeq,
      value: {
        second,
        time: new Date(second * 1000).toISOString(),
        all: {
          ...pointOf(summaryBucket(all)),
          droppedIterations: all.droppedIterations,
          checksPassed: all.checksPassed,
          checksFailed: all.checksFailed,
          statusCodes: all.statusCodes,
          failuresByKind: all.failuresByKind,
        },
        endpoints,
      },
    });
  }
  return out;
}
