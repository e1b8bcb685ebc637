import { describe, expect, it } from "vitest";
import { CURRENT_SCHEMA_VERSION, createCommand, eventsFromCommand, parseCommand, parseEvent, SchemaError } from "./envelope.ts";

const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

const started = (extra: Record<string, unknown> = {}) => ({
  id: "e-1",
  type: "run.started",
  schemaVersion: CURRENT_SCHEMA_VERSION,
  tenantId: "default",
  aggregate: { type: "run", id: "r-1" },
  time: "2026-12-02T00:00:00.000Z",
  actor: "test",
  correlationId: "c-1",
  data: { startedAt: "2026-12-02T00:00:01.000Z" },
  ...extra,
});

describe("the envelope's traceparent", () => {
  it("is kept when an event carries one, and absent (not undefined) when it does not", () => {
    expect(parseEvent(started({ traceparent: TRACEPARENT })).traceparent).toBe(TRACEPARENT);
    expect(parseEvent(started())).not.toHaveProperty("traceparent");
  });

  it("must be a W3C traceparent", () => {
    for (const bad of ["", "00-abc-def-01", `01-${TRACEPARENT.slice(3)}`, TRACEPARENT.toUpperCase(), 42]) {
      expect(() => parseEvent(started({ traceparent: bad }))).toThrow(SchemaError);
    }
  });

  it("goes from a command to its events: the deciding span's, when one is given", () => {
    const command = createCommand({
      type: "run.stop",
      tenantId: "t",
      aggregate: { type: "run", id: "r-1" },
      data: { reason: "requested" },
      traceparent: TRACEPARENT,
    });
    expect(parseCommand(JSON.parse(JSON.stringify(command))).traceparent).toBe(TRACEPARENT);
    const decision = "00-4bf92f3577b34da6a3ce929d0e0e4736-1111111111111111-01";
    const [event] = eventsFromCommand(command, [{ type: "run.stopping", data: { reason: "requested" } }], decision);
    expect(event?.traceparent).toBe(decision);
    expect(eventsFromCommand(command, [{ type: "run.stopping", data: { reason: "requested" } }])[0]).not.toHaveProperty("traceparent");
    expect(
      createCommand({ type: "run.stop", tenantId: "t", aggregate: { type: "run", id: "r-1" }, data: { reason: "requested" } }),
    ).not.toHaveProperty("traceparent");
  });
});
