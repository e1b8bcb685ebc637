// Where a rebuild's time goes (--profile): the categories of its CPU profile, and each step of
// the events projection timed alone.
import { performance } from "node:perf_hooks";
import { type EventEnvelope, parseEvent } from "@loadline/core";
import {
  aggregateKey,
  evolveLoadTest,
  evolveRun,
  foldRows,
  isLoadTestEvent,
  isRunEvent,
  keyIn,
  type LoadTestRow,
  loadTests,
  type RowKey,
  type RunRow,
  runs,
  upsertStatement,
} from "@loadline/projections";
import { PgDialect } from "drizzle-orm/pg-core";
import { fmt } from "../lib/table.ts";
import { type Classifier, libraryOf } from "./bench-util.ts";
import { REPLAY_DEFAULTS, type StepCost } from "./replay-data.ts";

const has = (stack: readonly { functionName: string; url: string }[], pred: (f: { functionName: string; url: string }) => boolean) =>
  stack.some(pred);

export const replayClassifier: Classifier = {
  stackRule(stack) {
    if (has(stack, (f) => f.functionName === "parseEvent")) return "parseEvent (zod: envelope + data)";
    if (has(stack, (f) => f.functionName === "json" && f.url.includes("@nats-io"))) return "msg.json() (UTF-8 decode + JSON.parse)";
    if (has(stack, (f) => /fold-rows\.ts|event-rows\.ts/.test(f.url))) return "fold (foldRows + evolveRun/evolveLoadTest)";
    if (has(stack, (f) => f.url.includes("rollups.ts") && /secondDeltas|applyDeltas|rowOf|mergedEncoding/.test(f.functionName))) {
      return "rollups (secondDeltas/applyDeltas: histogram merges + encodes)";
    }
    if (stack[0]?.url === "" && stack[0].functionName === "stringify") return "JSON.stringify (SQL jsonb payloads, drizzle params)";
    return undefined;
  },
  frameRule(f) {
    const lib = libraryOf(f);
    if (lib) return lib;
    if (f.url.includes("/packages/projections/src/")) return "projector / projection glue (batch plan, insert payloads)";
    if (f.url.includes("/packages/core/src/")) return "core (other)";
    if (f.url.includes("/bench/")) return "bench harness";
    return undefined;
  },
};

/**
 * Each step of the events projection alone, on the first events published, per event: what a
 * rebuild at N events/s can afford is 1e6/N µs per event in all.
 */
export async function stepCosts(sample: string[], log: (m: string) => void): Promise<StepCost[]> {
  log(`replay: timing each step alone on ${fmt(sample.length, 0)} events`);
  const bytes = sample.map((s) => Buffer.from(s));
  const decoder = new TextDecoder();
  const time = (fn: () => void): number => {
    fn(); // warm-up
    const t0 = performance.now();
    fn();
    return ((performance.now() - t0) * 1000) / sample.length;
  };
  let raws: unknown[] = [];
  const json = time(() => {
    raws = bytes.map((b) => JSON.parse(decoder.decode(b)));
  });
  let events: EventEnvelope[] = [];
  const zod = time(() => {
    events = raws.map((r) => parseEvent(r));
  });
  const BATCH = REPLAY_DEFAULTS.libraryBatchSize;
  const batches: EventEnvelope[][] = [];
  for (let i = 0; i < events.length; i += BATCH) batches.push(events.slice(i, i + BATCH));
  type Changes = { loadTests: LoadTestRow[]; runs: RunRow[]; ltKeys: RowKey[]; runKeys: RowKey[] };
  let changes: Changes[] = [];
  const fold = time(() => {
    // Rows carried from batch to batch, as the projection reads them back from Postgres.
    const ltRows = new Map<string, LoadTestRow>();
    const runRows = new Map<string, RunRow>();
    const key = (k: { tenantId: string; id: string }) => `${k.tenantId}/${k.id}`;
    changes = batches.map((batch) => {
      const lts = batch.filter(isLoadTestEvent);
      const rs = batch.filter(isRunEvent);
      const lt = foldRows(
        lts.map(aggregateKey).flatMap((k) => ltRows.get(key(k)) ?? []),
        lts,
        evolveLoadTest,
      );
      const r = foldRows(
        rs.map(aggregateKey).flatMap((k) => runRows.get(key(k)) ?? []),
        rs,
        evolveRun,
      );
      for (const row of lt.upserts) ltRows.set(key(row), row);
      for (const k of lt.deletes) ltRows.delete(key(k));
      for (const row of r.upserts) runRows.set(key(row), row);
      return { loadTests: lt.upserts, runs: r.upserts, ltKeys: lts.map(aggregateKey), runKeys: rs.map(aggregateKey) };
    });
  });
  // The SQL the projection sends per batch, built but not sent.
  const dialect = new PgDialect();
  const selectBuild = time(() => {
    for (const c of changes) {
      if (c.ltKeys.length > 0) dialect.sqlToQuery(keyIn(c.ltKeys));
      if (c.runKeys.length > 0) dialect.sqlToQuery(keyIn(c.runKeys));
    }
  });
  const sqlBuild = time(() => {
    for (const c of changes) {
      if (c.loadTests.length > 0) dialect.sqlToQuery(upsertStatement(loadTests, c.loadTests, ["tenant_id", "id"]));
      if (c.runs.length > 0) dialect.sqlToQuery(upsertStatement(runs, c.runs, ["tenant_id", "id"]));
    }
  });
  return [
    { step: "msg.json(): UTF-8 decode + JSON.parse", usPerEvent: json },
    { step: "parseEvent: zod validation (envelope + data)", usPerEvent: zod },
    { step: `fold: foldRows + evolve, batches of ${fmt(BATCH, 0)}`, usPerEvent: fold },
    {
      step: "build the key filter of the batch's rows (not sent)",
      usPerEvent: selectBuild,
      note: "keyIn: one JSON parameter through jsonb_to_recordset",
    },
    {
      step: "build the upsert (not sent)",
      usPerEvent: sqlBuild,
      note: "one JSON parameter; mapping the selected rows back, and postgres.js sending, come on top",
    },
  ];
}
