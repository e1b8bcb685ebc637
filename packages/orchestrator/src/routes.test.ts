import { type CommandEnvelope, type LoadTestView, parseCommand, type ReadModel } from "@loadline/core";
import type { CommandOutcome } from "@loadline/nats";
import { createLogger, devAccess, serviceApp } from "@loadline/service";
import { describe, expect, it } from "vitest";
import { writeRoutes } from "./routes.ts";

const log = createLogger("test", "silent");
const MiB = 1024 * 1024;

/** The write routes as the API mounts them, on a bus that records what it is sent and answers `outcome`. */
function api(opts: { maxPayload?: number; maxBodyBytes?: number; outcome?: (c: CommandEnvelope) => CommandOutcome } = {}) {
  const sent: CommandEnvelope[] = [];
  const bus = {
    maxPayload: () => opts.maxPayload ?? MiB,
    send: async (command: CommandEnvelope): Promise<CommandOutcome> => {
      sent.push(command);
      return (
        opts.outcome?.(command) ?? { ok: true, commandId: command.id, aggregateId: command.aggregate.id, version: 1, seq: 1, seqs: [1] }
      );
    },
  };
  const readModel: ReadModel = {
    waitForEvents: async () => true,
    loadTest: async (_, id) => ({ id, version: 1 }) as LoadTestView,
    run: async () => null,
    apiKey: async () => null,
    secret: async () => null,
    tenantSettings: async () => null,
  };
  const app = serviceApp({ log, maxBodyBytes: opts.maxBodyBytes, access: devAccess() }, writeRoutes({ bus, readModel, log }));
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await app.request(path, {
      method,
      headers: { "content-type": "application/json", ...headers },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  };
  return { call, sent };
}

const spec = (over: object = {}) => ({
  name: "door",
  targetUrl: "http://127.0.0.1:9",
  requests: [{ method: "GET", path: "/" }],
  defaultUsers: 1,
  defaultSpawnRate: 1,
  defaultDurationSec: 1,
  ...over,
});
const deep = (depth: number): unknown => JSON.parse(`${"[".repeat(depth)}${"]".repeat(depth)}`);

describe("write routes: bad input is refused at the door, nothing is sent", () => {
  const cases: [string, () => Parameters<ReturnType<typeof api>["call"]>, number, string][] = [
    ["a NUL in the name", () => ["POST", "/v1/load-tests", spec({ name: "nul\u0000name" })], 400, "name"],
    ["a lone surrogate in the name", () => ["POST", "/v1/load-tests", '{"name":"\\ud800"}'], 400, "name"],
    [
      "a NUL in a step's header value",
      () => ["POST", "/v1/load-tests", spec({ requests: [{ method: "GET", path: "/", headers: { "x-a": "a\u0000" } }] })],
      400,
      "requests.0.headers.x-a",
    ],
    [
      "a step body.json nested 3,000 deep",
      () => [
        "POST",
        "/v1/load-tests",
        spec({ requests: undefined, scenarios: [{ name: "s", steps: [{ type: "request", url: "/", body: { json: deep(3000) } }] }] }),
      ],
      400,
      `scenarios.0.steps.0.body.json${".0".repeat(58)}`,
    ],
    [
      "a file: step url",
      () => [
        "POST",
        "/v1/load-tests",
        spec({ requests: undefined, scenarios: [{ name: "s", steps: [{ type: "request", url: "file:///etc/passwd" }] }] }),
      ],
      400,
      "scenarios.0.steps.0.url",
    ],
    [
      "a javascript: step url",
      () => [
        "POST",
        "/v1/load-tests",
        spec({ requests: undefined, scenarios: [{ name: "s", steps: [{ type: "request", url: "javascript:alert(1)" }] }] }),
      ],
      400,
      "scenarios.0.steps.0.url",
    ],
    ["a text/plain body", () => ["POST", "/v1/load-tests", spec(), { "content-type": "text/plain" }], 415, "Content-Type"],
    [
      "a run started with a form body",
      () => ["POST", "/v1/load-tests/t1/runs", "targetUsers=1", { "content-type": "application/x-www-form-urlencoded" }],
      415,
      "Content-Type",
    ],
    [
      "an If-Match past the safe integers on PUT",
      () => ["PUT", "/v1/load-tests/t1", spec(), { "if-match": '"99999999999999999999"' }],
      400,
      "If-Match",
    ],
    [
      "an If-Match past the safe integers on DELETE",
      () => ["DELETE", "/v1/load-tests/t1", undefined, { "if-match": '"99999999999999999999"' }],
      400,
      "If-Match",
    ],
    ["a NUL id in the path (PUT)", () => ["PUT", "/v1/load-tests/%00", spec()], 404, "id"],
    ["a NUL id in the path (DELETE)", () => ["DELETE", "/v1/load-tests/%00"], 404, "id"],
    ["a NUL run id in the path", () => ["POST", "/v1/runs/%00/stop"], 404, "id"],
    ["a wrong method on a known path", () => ["PATCH", "/v1/load-tests/t1", spec()], 405, "method"],
  ];
  for (const [what, args, status, field] of cases) {
    it(`${what} -> ${status} naming ${field}`, async () => {
      const { call, sent } = api();
      const res = await call(...args());
      expect({ status: res.status, field: res.body?.error?.field }).toEqual({ status, field });
      expect(res.body.error.message).toEqual(expect.any(String));
      expect(sent).toEqual([]);
    });
  }

  it("405 carries Allow; OPTIONS answers 204 with it", async () => {
    const { call } = api();
    expect((await call("PATCH", "/v1/load-tests/t1")).headers.get("allow")).toBe("PUT, DELETE, OPTIONS");
    const options = await call("OPTIONS", "/v1/load-tests");
    expect([options.status, options.headers.get("allow")]).toEqual([204, "POST, OPTIONS"]);
  });

  it("a test over NATS's max payload is a 413 naming its largest part, before it is sent", async () => {
    const { call, sent } = api({ maxPayload: MiB, maxBodyBytes: 4 * MiB });
    const requests = [600_000, 610_000].map((n) => ({ method: "POST", path: "/", body: "x".repeat(n) }));
    const res = await call("POST", "/v1/load-tests", spec({ requests }));
    expect([res.status, res.body.error.code, res.body.error.field]).toEqual([413, "payload_too_large", "requests.1.body"]);
    expect(sent).toEqual([]);
  });

  it("a body over the API's limit is a 413 naming the body", async () => {
    const { call, sent } = api();
    const requests = [600_000, 610_000].map((n) => ({ method: "POST", path: "/", body: "x".repeat(n) }));
    const res = await call("POST", "/v1/load-tests", spec({ requests }));
    expect([res.status, res.body.error.field]).toEqual([413, "body"]);
    expect(sent).toEqual([]);
  });
});

describe("write routes: what is accepted is what the orchestrator reads", () => {
  it("an HTTP:// target (scheme in capitals) is accepted, and the command sent parses with the orchestrator's parser", async () => {
    const { call, sent } = api();
    const res = await call("POST", "/v1/load-tests", spec({ targetUrl: "HTTP://127.0.0.1:9" }), {
      "content-type": "application/json; charset=utf-8",
    });
    expect(res.status).toBe(201);
    expect(sent).toHaveLength(1);
    expect(parseCommand(JSON.parse(JSON.stringify(sent[0])))).toMatchObject({
      type: "load-test.create",
      data: { spec: { targetUrl: "HTTP://127.0.0.1:9" } },
    });
  });

  it("a safe If-Match goes into the command as its expected version", async () => {
    const { call, sent } = api();
    expect((await call("DELETE", "/v1/load-tests/t1", undefined, { "if-match": 'W/"9007199254740991"' })).status).toBe(204);
    expect(sent[0]?.data).toEqual({ expectedVersion: Number.MAX_SAFE_INTEGER });
  });

  it("a refusal for something not found names the id of the path", async () => {
    const { call } = api({
      outcome: (c) => ({
        ok: false,
        commandId: c.id,
        aggregateId: c.aggregate.id,
        error: { code: "not_found", message: "load test not found" },
      }),
    });
    const res = await call("POST", "/v1/load-tests/t1/runs", {});
    expect([res.status, res.body.error]).toEqual([404, { code: "not_found", message: "load test not found", field: "id" }]);
  });
});
