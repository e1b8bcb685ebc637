// The read-api section's data: a tenant's API key, load tests and runs through the event store
// (the events projection writes their rows, as in production), and the runs' metrics either
// rolled up straight into Postgres (rollUp, as the query section does) or published as windows
// on NATS (PGlite: the embedded stack's own projection takes them).

import { type EventStore, newId } from "@loadline/core";
import type { Db, TenantWindow } from "@loadline/projections";
import { rollUp } from "@loadline/projections";
import { histogramPool, type SyntheticLoad, syntheticRequests, syntheticWindow, syntheticWorkerIds } from "@loadline/projections/testing";
import { formatApiKey, newApiKeySecret } from "@loadline/service";
import { TENANT } from "../read-side/query-data.ts";
import { appendEvents, appendLoadTest, appendRun } from "../read-side/query-seed.ts";

export type Seeded = {
  tenant: string;
  /** A viewer's API key of the tenant, as a client sends it. */
  token: string;
  loadTestIds: string[];
  /** Every run but the long one, and the long one (created last: the newest). */
  shortRuns: SyntheticLoad[];
  longRun: SyntheticLoad;
  longFirstSecond: number;
  longSeconds: number;
  /** The last event's stream sequence: the events projection is done once it got there. */
  lastSeq: number;
};

export type SeedPlan = { loadTests: number; runs: number; names: number; longWorkers: number; longSeconds: number; shortSeconds: number };

/** Appends the key, load tests and runs; metrics are written apart (seedRollups or publishWindows). */
export async function appendAll(store: EventStore, plan: SeedPlan): Promise<Seeded> {
  const tenant = TENANT;
  const keyId = newId();
  const { secret, hash } = newApiKeySecret();
  let lastSeq = await appendEvents(store, tenant, { type: "api-key", id: keyId }, [
    { type: "api-key.created", data: { name: "bench", role: "viewer", hash, expiresAt: null } },
  ]);
  const pool = histogramPool({ size: 200, minSamples: 20, maxSamples: 200, minUs: 5_000, maxUs: 300_000 });
  const requests = syntheticRequests(plan.names);
  const loadOf = (workers: number): SyntheticLoad => ({
    runId: newId(),
    workerIds: syntheticWorkerIds(workers),
    requests,
    pool,
    activeUsersPerWorker: 50,
  });
  const proto = loadOf(1);
  const loadTestIds: string[] = [];
  for (let i = 0; i < plan.loadTests; i++) {
    const lt = await appendLoadTest(store, proto, plan.longSeconds, `checkout flow ${i + 1}`, tenant);
    loadTestIds.push(lt.id);
    lastSeq = lt.seq;
  }
  const now = Math.floor(Date.now() / 1000);
  const longFirstSecond = now - plan.longSeconds - 120;
  const shortRuns: SyntheticLoad[] = [];
  // Appended in parallel a few at a time: each is its own aggregate, so order does not matter.
  for (let i = 0; i < plan.runs; i += 10) {
    const batch = Array.from({ length: Math.min(10, plan.runs - i) }, (_, k) => {
      const load = loadOf(1);
      shortRuns.push(load);
      const first = longFirstSecond - (plan.runs - i - k) * (plan.shortSeconds + 60);
      return appendRun(store, loadTestIds[(i + k) % loadTestIds.length]!, load, first, plan.shortSeconds, tenant);
    });
    lastSeq = Math.max(lastSeq, ...(await Promise.all(batch)));
  }
  const longRun = loadOf(plan.longWorkers);
  lastSeq = Math.max(lastSeq, await appendRun(store, loadTestIds[0]!, longRun, longFirstSecond, plan.longSeconds, tenant));
  return {
    tenant,
    token: formatApiKey(keyId, secret),
    loadTestIds,
    shortRuns,
    longRun,
    longFirstSecond,
    longSeconds: plan.longSeconds,
    lastSeq,
  };
}

/** The windows of run `load` over its seconds, as its workers sent them. */
export function* windowsOf(load: SyntheticLoad, firstSecond: number, seconds: number): Generator<TenantWindow[]> {
  for (let s = 0; s < seconds; s++) {
    const batch: TenantWindow[] = [];
    for (let w = 0; w < load.workerIds.length; w++) batch.push({ ...syntheticWindow(load, w, firstSecond + s), tenantId: TENANT });
    yield batch;
  }
}

/** The short runs' metrics rolled up straight into the read model (the long run goes through query-seed's seed). */
export async function seedShortRollups(db: Db, seeded: Seeded, plan: SeedPlan): Promise<void> {
  for (let i = 0; i < seeded.shortRuns.length; i++) {
    const load = seeded.shortRuns[i]!;
    const first = seeded.longFirstSecond - (plan.runs - i) * (plan.shortSeconds + 60);
    const batch = [...windowsOf(load, first, plan.shortSeconds)].flat();
    await db.transaction((tx) =>
      rollUp(
        tx,
        batch.map((w) => ({ ...w, seq: 0 })),
      ),
    );
  }
}
