// Filling the replay section's streams before a rebuild: domain events (replay-history.ts) into
// LL_EVENTS, synthetic metric windows into LL_METRICS, with async publishes; each fill knows how
// to check the read model a rebuild makes of it.
import { performance } from "node:perf_hooks";
import { CURRENT_SCHEMA_VERSION, type EventEnvelope, newId, parseEvent } from "@loadline/core";
import { type Namespace, subjects } from "@loadline/nats";
import {
  histogramPool,
  type SyntheticLoad,
  syntheticRequests,
  syntheticWindow,
  syntheticWorkerIds,
  windowEncoder,
} from "@loadline/projections/testing";
import { windowEvent } from "@loadline/worker";
import type { JetStreamClient } from "@nats-io/jetstream";
import postgres from "postgres";
import { fmt } from "../lib/table.ts";
import { type PublishFigures, REPLAY_DEFAULTS, SAMPLE_FOR_STEPS } from "./replay-data.ts";
import { Expectation, interleaved } from "./replay-history.ts";

/** A filled stream: what went in, and the check of the read model rebuilt from it. */
export type Published = PublishFigures & { requestsPerWindow?: number; verify(url: string): Promise<{ text: string; ok: boolean }> };

/** The single row of a query that always answers one. */
const one = <T>(rows: readonly T[]): T => {
  if (!rows[0]) throw new Error("expected a row");
  return rows[0];
};

/** A window of async publishes: up to `limit` in flight, refilled once half are acknowledged; a failure is fatal. */
class Inflight {
  private n = 0;
  private failure: unknown;
  private waiter: { below: number; resolve: () => void } | null = null;
  constructor(private readonly limit: number) {}
  async add(p: Promise<unknown>): Promise<void> {
    if (this.failure) throw this.failure;
    this.n++;
    p.then(
      () => this.settle(),
      (err: unknown) => {
        this.failure ??= err;
        this.settle();
      },
    );
    if (this.n >= this.limit) await this.waitBelow(this.limit / 2);
  }
  async drain(): Promise<void> {
    await this.waitBelow(1);
    if (this.failure) throw this.failure;
  }
  private waitBelow(below: number): Promise<void> {
    if (this.n < below) return Promise.resolve();
    return new Promise((resolve) => (this.waiter = { below, resolve }));
  }
  private settle(): void {
    this.n--;
    const w = this.waiter;
    if (w && (this.n < w.below || this.failure)) {
      this.waiter = null;
      w.resolve();
    }
  }
}

export async function publishDomainEvents(
  js: JetStreamClient,
  ns: Namespace,
  count: number,
  log: (m: string) => void,
): Promise<Published & { sample: string[] }> {
  const expect = new Expectation();
  const inflight = new Inflight(REPLAY_DEFAULTS.publishWindow);
  const sample: string[] = [];
  const checkedTypes = new Set<string>();
  let bytes = 0;
  let n = 0;
  const t0 = performance.now();
  const base = Date.now() - 30 * 24 * 3600_000;
  for (const d of interleaved(count, 64, expect)) {
    const id = newId();
    const envelope = {
      id,
      type: d.event.type,
      schemaVersion: CURRENT_SCHEMA_VERSION,
      tenantId: d.tenantId,
      aggregate: d.aggregate,
      time: new Date(base + n * 50).toISOString(),
      actor: "user:bench",
      causationId: newId(),
      correlationId: d.correlationId,
      data: d.event.data,
    } as EventEnvelope;
    if (!checkedTypes.has(envelope.type)) {
      parseEvent(JSON.parse(JSON.stringify(envelope))); // each type once, as the projection will read it: throws when invalid
      checkedTypes.add(envelope.type);
    }
    const payload = JSON.stringify(envelope);
    bytes += payload.length;
    if (sample.length < SAMPLE_FOR_STEPS) sample.push(payload);
    await inflight.add(
      js.publish(subjects.event(ns, d.tenantId, d.aggregate.type, d.aggregate.id), payload, { msgID: id, timeout: 60_000 }),
    );
    if (++n % 200_000 === 0) log(`replay events: published ${fmt(n, 0)}`);
  }
  await inflight.drain();
  const seconds = (performance.now() - t0) / 1000;
  log(`replay events: ${expect.loadTests.size} live load tests, ${expect.runs.size} runs, event types ${[...checkedTypes].join(", ")}`);
  return {
    messages: n,
    bytes,
    seconds,
    perSec: n / seconds,
    sample,
    async verify(url) {
      const sql = postgres(url, { max: 1, onnotice: () => undefined });
      try {
        const byStatus = Object.fromEntries(
          (await sql<{ status: string; n: number; v: number }[]>`select status, count(*)::int as n from runs group by status`).map((r) => [
            r.status,
            r.n,
          ]),
        );
        const { v } = one(await sql<{ v: number }[]>`select coalesce(sum(version), 0)::int as v from runs`);
        const { lt } = one(await sql<{ lt: number }[]>`select count(*)::int as lt from load_tests`);
        const { dl } = one(await sql<{ dl: number }[]>`select count(*)::int as dl from projection_dead_letters`);
        const want = expect.byStatus();
        const wantVersions = [...expect.runs.values()].reduce((s, r) => s + r.version, 0);
        const sameStatus = Object.keys({ ...want, ...byStatus }).every((k) => want[k] === byStatus[k]);
        const ok = sameStatus && v === wantVersions && lt === expect.loadTests.size && dl === 0;
        const statuses = Object.entries(byStatus)
          .map(([k, c]) => `${k} ${c}`)
          .join(", ");
        return {
          ok,
          text: `${ok ? "OK" : "MISMATCH"}: ${lt} load tests (expected ${expect.loadTests.size}), runs ${statuses} (expected ${JSON.stringify(want)}), ${v} run events folded (expected ${wantVersions}), ${dl} dead letters`,
        };
      } finally {
        await sql.end();
      }
    },
  };
}

export async function publishWindows(
  js: JetStreamClient,
  ns: Namespace,
  count: number,
  requestsPerWindow: number,
  log: (m: string) => void,
): Promise<Published> {
  const tenantId = "acme";
  const workers = Math.min(REPLAY_DEFAULTS.workers, count);
  const seconds = Math.ceil(count / workers);
  const runId = newId();
  const load: SyntheticLoad = {
    runId,
    workerIds: syntheticWorkerIds(workers),
    requests: syntheticRequests(requestsPerWindow),
    pool: histogramPool({ size: 200, minSamples: 20, maxSamples: 200, minUs: 5_000, maxUs: 300_000 }),
    activeUsersPerWorker: 50,
  };
  const encode = windowEncoder(load, (w) => windowEvent(w, tenantId));
  parseEvent(JSON.parse(encode(0, 1_700_000_000))); // valid, as the projection reads it
  const inflight = new Inflight(REPLAY_DEFAULTS.publishWindow);
  const firstSecond = Math.floor(Date.now() / 1000) - seconds - 60;
  let n = 0;
  let bytes = 0;
  let requests = 0;
  const t0 = performance.now();
  for (let s = 0; s < seconds && n < count; s++) {
    const second = firstSecond + s;
    for (let w = 0; w < workers && n < count; w++, n++) {
      const payload = encode(w, second);
      bytes += payload.length;
      for (const r of syntheticWindow(load, w, second).requests) requests += r.count;
      await inflight.add(
        js.publish(subjects.metrics(ns, tenantId, runId, load.workerIds[w]!), payload, {
          msgID: `${runId}.${load.workerIds[w]}.${second}`,
          timeout: 60_000,
        }),
      );
    }
    if ((s + 1) % 200 === 0) log(`replay metrics: published ${fmt(n, 0)}`);
  }
  await inflight.drain();
  const elapsed = (performance.now() - t0) / 1000;
  const windows = n;
  return {
    messages: n,
    bytes,
    seconds: elapsed,
    perSec: n / elapsed,
    requestsPerWindow,
    async verify(url) {
      const sql = postgres(url, { max: 1, onnotice: () => undefined });
      try {
        const { w } = one(await sql<{ w: number }[]>`select count(*)::int as w from metric_windows`);
        const { secs } = one(
          await sql<{ secs: number }[]>`select count(*)::int as secs from metric_rollups where step = 1 and method = ''`,
        );
        const { total } = one(
          await sql<
            { total: number }[]
          >`select coalesce(sum(requests), 0)::float8 as total from metric_rollups where step = 0 and method = ''`,
        );
        const { dl } = one(await sql<{ dl: number }[]>`select count(*)::int as dl from projection_dead_letters`);
        const wantSeconds = Math.ceil(windows / workers);
        const ok = w === windows && secs === wantSeconds && total === requests && dl === 0;
        return {
          ok,
          text: `${ok ? "OK" : "MISMATCH"}: ${w} windows (expected ${windows}), ${secs} seconds rolled up (expected ${wantSeconds}), ${total} requests in the whole-run rollup (expected ${requests}), ${dl} dead letters`,
        };
      } finally {
        await sql.end();
      }
    },
  };
}
