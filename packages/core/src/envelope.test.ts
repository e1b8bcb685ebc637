import { describe, expect, it } from "vitest";
import { CURRENT_SCHEMA_VERSION, eventCatalog, parseCommand, parseEvent, SchemaError } from "./envelope.ts";
import { eventExamples } from "./event-examples.ts";

const envelopeOf = (type: string, data: unknown) => ({
  id: "e-1",
  type,
  schemaVersion: CURRENT_SCHEMA_VERSION,
  tenantId: "default",
  aggregate: { type: "run", id: "r-1" },
  time: "2026-12-02T00:00:00.000Z",
  actor: "test",
  correlationId: "c-1",
  data,
});

describe("parseEvent", () => {
  it("keeps a metric window's data as parsed, equal to what its schema gives", () => {
    const data = structuredClone(eventExamples["metrics.window"]);
    const event = parseEvent(envelopeOf("metrics.window", data));
    expect(event.data).toBe(data);
    // Kept in place is only right while the schema checks and changes nothing.
    expect(eventCatalog["metrics.window"].parse(structuredClone(data))).toEqual(data);
  });

  it("gives the envelope's known fields only, with a missing causation as null", () => {
    const event = parseEvent({
      ...envelopeOf("run.started", { startedAt: "2026-12-02T00:00:01.000Z" }),
      extra: 1,
      aggregate: { type: "run", id: "r-1", x: 2 },
    });
    expect(event).toEqual({ ...envelopeOf("run.started", { startedAt: "2026-12-02T00:00:01.000Z" }), causationId: null });
  });

  it("still rejects a metric window its schema rejects", () => {
    const data = { ...eventExamples["metrics.window"], second: -1 };
    expect(() => parseEvent(envelopeOf("metrics.window", data))).toThrow(SchemaError);
  });

  it("gives other events their schema's output (defaults filled in)", () => {
    const { tags: _dropped, ...spec } = eventExamples["load-test.created"].spec;
    const event = parseEvent(envelopeOf("load-test.created", { spec }));
    expect(event.type === "load-test.created" && event.data.spec.tags).toEqual([]);
  });
});

describe("parseCommand", () => {
  it("names the field of the data it refuses, for the API to name it too", () => {
    const command = { ...envelopeOf("load-test.delete", { expectedVersion: 1e20 }), aggregate: { type: "load-test", id: "t-1" } };
    const error = (() => {
      try {
        parseCommand(command);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SchemaError);
    expect((error as SchemaError).field).toBe("expectedVersion");
  });
});
