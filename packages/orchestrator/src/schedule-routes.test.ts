import { type CommandEnvelope, parseCommand, type ReadModel, type ScheduleReadModel, type ScheduleView } from "@loadline/core";
import type { CommandOutcome } from "@loadline/nats";
import { createLogger, devAccess, serviceApp } from "@loadline/service";
import { describe, expect, it } from "vitest";
import { scheduleWriteRoutes } from "./schedule-routes.ts";

const log = createLogger("test", "silent");

/** The schedule write routes as the API mounts them, on a bus that records what it is sent and answers `outcome`. */
function api(outcome?: (c: CommandEnvelope) => CommandOutcome) {
  const sent: CommandEnvelope[] = [];
  const bus = {
    maxPayload: () => 1024 * 1024,
    send: async (command: CommandEnvelope): Promise<CommandOutcome> => {
      sent.push(parseCommand(JSON.parse(JSON.stringify(command)))); // as the orchestrator reads it off the bus
      return outcome?.(command) ?? { ok: true, commandId: command.id, aggregateId: command.aggregate.id, version: 1, seq: 1, seqs: [1] };
    },
  };
  const readModel: ReadModel & ScheduleReadModel = {
    waitForEvents: async () => true,
    loadTest: async () => null,
    run: async () => null,
    apiKey: async () => null,
    secret: async () => null,
    tenantSettings: async () => null,
    schedule: async (_, id) => ({ id, version: 1 }) as ScheduleView,
  };
  const app = serviceApp({ log, access: devAccess() }, scheduleWriteRoutes({ bus, readModel, log }));
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await app.request(path, {
      method,
      headers: { "content-type": "application/json", ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  };
  return { call, sent };
}

describe("schedule write routes: bad input is refused at the door, naming the field; nothing is sent", () => {
  const cases: [string, string, string, unknown, string][] = [
    ["a cron pattern with a minute of 61", "POST", "/v1/load-tests/lt1/schedules", { cron: "61 * * * *" }, "cron"],
    ["a cron pattern that never fires", "POST", "/v1/load-tests/lt1/schedules", { cron: "0 0 31 2 *" }, "cron"],
    ["a date for a cron pattern", "POST", "/v1/load-tests/lt1/schedules", { cron: "2030-01-01T00:00:00" }, "cron"],
    ["no cron pattern", "POST", "/v1/load-tests/lt1/schedules", { timezone: "UTC" }, "cron"],
    ["an unknown time zone", "POST", "/v1/load-tests/lt1/schedules", { cron: "0 3 * * *", timezone: "Mars/Olympus_Mons" }, "timezone"],
    [
      "a bad override",
      "POST",
      "/v1/load-tests/lt1/schedules",
      { cron: "0 3 * * *", overrides: { targetUsers: 0 } },
      "overrides.targetUsers",
    ],
    ["an unknown override", "POST", "/v1/load-tests/lt1/schedules", { cron: "0 3 * * *", overrides: { users: 3 } }, "overrides.users"],
    ["an unknown policy", "POST", "/v1/load-tests/lt1/schedules", { cron: "0 3 * * *", missedFire: "sometimes" }, "missedFire"],
    ["an unknown key", "POST", "/v1/load-tests/lt1/schedules", { cron: "0 3 * * *", every: "day" }, "every"],
    ["enabled as text", "PATCH", "/v1/schedules/s1", { enabled: "yes" }, "enabled"],
    ["a bad cron in a change", "PATCH", "/v1/schedules/s1", { cron: "* * *" }, "cron"],
    ["an unknown time zone in a change", "PATCH", "/v1/schedules/s1", { timezone: "Europe/Atlantis" }, "timezone"],
  ];
  it.each(cases)("%s", async (_, method, path, body, field) => {
    const { call, sent } = api();
    const res = await call(method, path, body);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.field).toBe(field);
    expect(sent).toEqual([]);
  });

  it("refuses an If-Match that is no version", async () => {
    const { call, sent } = api();
    expect((await call("PATCH", "/v1/schedules/s1", { enabled: false }, { "if-match": "abc" })).body.error.field).toBe("If-Match");
    expect((await call("DELETE", "/v1/schedules/s1", undefined, { "if-match": "x" })).body.error.field).toBe("If-Match");
    expect(sent).toEqual([]);
  });
});

describe("schedule write routes: the commands they send", () => {
  it("creates with the cautious defaults, its placement apart from the run's overrides", async () => {
    const { call, sent } = api();
    const res = await call("POST", "/v1/load-tests/lt1/schedules", { cron: "30 2 * * *", overrides: { durationSec: 60, workers: 2 } });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe(`/v1/schedules/${sent[0]!.aggregate.id}`);
    expect(sent[0]).toMatchObject({
      type: "schedule.create",
      aggregate: { type: "schedule" },
      data: {
        loadTestId: "lt1",
        cron: "30 2 * * *",
        timezone: "UTC",
        overrides: { durationSec: 60 },
        placement: { workers: 2 },
        enabled: true,
        missedFire: "skip",
        overlap: "skip",
      },
    });
  });

  it("changes only the fields given, with the version of If-Match; deletes", async () => {
    const { call, sent } = api();
    expect((await call("PATCH", "/v1/schedules/s1", { enabled: false }, { "if-match": '"4"' })).status).toBe(200);
    expect(sent[0]).toMatchObject({
      type: "schedule.update",
      aggregate: { id: "s1" },
      data: { changes: { enabled: false }, expectedVersion: 4 },
    });
    expect(Object.keys((sent[0]!.data as { changes: object }).changes)).toEqual(["enabled"]);
    expect((await call("PATCH", "/v1/schedules/s1", { overrides: { workerSelector: { pool: "eu" } } })).status).toBe(200);
    expect(sent[1]).toMatchObject({ data: { changes: { overrides: {}, placement: { selector: { pool: "eu" } } } } });
    expect((await call("DELETE", "/v1/schedules/s1")).status).toBe(204);
    expect(sent[2]).toMatchObject({ type: "schedule.delete", aggregate: { id: "s1" }, data: {} });
  });

  it("answers the orchestrator's refusal: a test that is not there is a 404 naming the path's id", async () => {
    const { call } = api((c) => ({
      ok: false,
      commandId: c.id,
      aggregateId: c.aggregate.id,
      error: { code: "not_found", message: "load test not found" },
    }));
    const res = await call("POST", "/v1/load-tests/gone/schedules", { cron: "0 3 * * *" });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: "not_found", field: "id" });
  });
});
