import { createCommand, type EventEnvelope, eventsFromCommand, type NewEvent } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { evolveLoadTest, isLoadTestEvent } from "./event-rows.ts";
import { foldRows } from "./fold-rows.ts";
import type { LoadTestRow } from "./schema.ts";
import { loadTestSpec } from "./test-fixtures.ts";

const events = (id: string, list: NewEvent[]) =>
  eventsFromCommand(
    createCommand({ type: "load-test.delete", tenantId: "t", aggregate: { type: "load-test", id }, data: {} }),
    list,
  ).filter(isLoadTestEvent);
const created = (id: string, name = id) => events(id, [{ type: "load-test.created", data: { spec: loadTestSpec({ name }) } }]);
const fold = (existing: LoadTestRow[], list: EventEnvelope[]) => foldRows(existing, list.filter(isLoadTestEvent), evolveLoadTest);

describe("foldRows", () => {
  it("folds several events of one aggregate into one upsert", () => {
    const changes = fold(
      [],
      [...created("a"), ...events("a", [{ type: "load-test.updated", data: { spec: loadTestSpec({ name: "a2" }) } }]), ...created("b")],
    );
    expect(changes.upserts.map((r) => [r.id, r.name, r.version])).toEqual([
      ["a", "a2", 2],
      ["b", "b", 1],
    ]);
    expect(changes.deletes).toEqual([]);
  });

  it("deletes a stored row, and writes nothing for one created and deleted in the batch", () => {
    const stored = fold([], created("a")).upserts;
    const changes = fold(stored, [
      ...events("a", [{ type: "load-test.deleted", data: {} }]),
      ...created("b"),
      ...events("b", [{ type: "load-test.deleted", data: {} }]),
    ]);
    expect(changes.deletes).toEqual([{ tenantId: "t", id: "a" }]);
    expect(changes.upserts).toEqual([]);
  });

  it("reports events of aggregates it has no row for", () => {
    const orphan = events("x", [{ type: "load-test.updated", data: { spec: loadTestSpec() } }]);
    expect(fold([], orphan).orphans).toEqual(orphan);
  });
});
