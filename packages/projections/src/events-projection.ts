import { subjects } from "@loadline/nats";
import type { Logger } from "@loadline/service";
import type { Tx } from "./database.ts";
import { evolveLoadTest, evolveRun, isLoadTestEvent, isRunEvent } from "./event-rows.ts";
import { aggregateKey, foldRows } from "./fold-rows.ts";
import type { ProjectedEvent, Projection } from "./projection.ts";
import { type LoadTestRow, loadTests, type RunRow, runs } from "./schema.ts";
import { keyIn, upsertRows } from "./sql-helpers.ts";

export const EVENTS_PROJECTION = "events";

const KEY = ["tenant_id", "id"];

/** The event store as rows: load_tests (deleted ones removed) and runs (status, workers, times). */
export function eventsProjection(log: Logger): Projection {
  return {
    name: EVENTS_PROJECTION,
    source: (ns) => ({ stream: ns.streams.events, filterSubject: subjects.allEvents(ns) }),
    async apply(tx: Tx, batch: readonly ProjectedEvent[]) {
      const events = batch.map((b) => b.event);
      const reportOrphans = (orphans: readonly { type: string; tenantId: string; aggregate: { id: string } }[]) => {
        for (const e of orphans)
          log.warn({ type: e.type, tenantId: e.tenantId, id: e.aggregate.id }, "event of an aggregate the read model has no row for");
      };

      const loadTestEvents = events.filter(isLoadTestEvent);
      if (loadTestEvents.length > 0) {
        const existing: LoadTestRow[] = await tx
          .select()
          .from(loadTests)
          .where(keyIn(loadTestEvents.map(aggregateKey)));
        const changes = foldRows(existing, loadTestEvents, evolveLoadTest);
        reportOrphans(changes.orphans);
        if (changes.deletes.length > 0) await tx.delete(loadTests).where(keyIn(changes.deletes));
        await upsertRows(tx, loadTests, changes.upserts, KEY);
      }

      const runEvents = events.filter(isRunEvent);
      if (runEvents.length > 0) {
        const existing: RunRow[] = await tx
          .select()
          .from(runs)
          .where(keyIn(runEvents.map(aggregateKey)));
        const changes = foldRows(existing, runEvents, evolveRun);
        reportOrphans(changes.orphans);
        await upsertRows(tx, runs, changes.upserts, KEY);
      }
    },
  };
}
