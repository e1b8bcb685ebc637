import { type Metadata, Server, ServerCredentials, type ServiceDefinition, status } from "@grpc/grpc-js";
import { DENY_ALL_TARGETS } from "@loadline/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HttpTransport } from "../transport/http-transport.ts";
import { loadProtoDefinition } from "./grpc-method.ts";
import { compile, runIteration, runIterationOutcome } from "./test-scenario.ts";

const PROTO = `
syntax = "proto3";
package test;
service Greeter {
  rpc Hello (HelloRequest) returns (HelloReply);
  rpc Count (CountRequest) returns (stream Number);
}
message HelloRequest { string name = 1; int32 code = 2; int32 delay_ms = 3; }
message HelloReply { string greeting = 1; int64 calls = 2; }
message CountRequest { int32 to = 1; int32 every_ms = 2; }
message Number { int32 n = 1; }
`;

/** A grpc-js server on 127.0.0.1 with what it saw: each Hello's request and metadata, the numbers it streamed. */
let server: Server;
let port: number;
const seen: { name: string; metadata: Metadata }[] = [];
let streamed = 0;

beforeAll(async () => {
  server = new Server();
  server.addService(loadProtoDefinition(PROTO)["test.Greeter"] as ServiceDefinition, {
    Hello: (
      call: { request: { name: string; code: number; delay_ms: number }; metadata: Metadata },
      callback: (e: { code: status; details: string } | null, v?: object) => void,
    ) => {
      seen.push({ name: call.request.name, metadata: call.metadata });
      setTimeout(() => {
        if (call.request.code > 0) callback({ code: call.request.code, details: "as asked" });
        else callback(null, { greeting: `hello ${call.request.name}`, calls: String(seen.length) });
      }, call.request.delay_ms);
    },
    Count: (call: { request: { to: number; every_ms: number }; write(v: object): void; end(): void; cancelled: boolean }) => {
      let n = 0;
      const next = () => {
        if (call.cancelled) return;
        if (n >= call.request.to) return call.end();
        streamed++;
        call.write({ n: ++n });
        setTimeout(next, call.request.every_ms);
      };
      next();
    },
  });
  port = await new Promise((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
});
afterAll(() => server.forceShutdown());

let transport: HttpTransport;
afterEach(() => transport?.close());

const grpc = (over: Record<string, unknown>) => ({
  type: "grpc",
  target: `127.0.0.1:${port}`,
  proto: PROTO,
  service: "test.Greeter",
  method: "Hello",
  ...over,
});

/** One VU's session of `steps` over a real transport (under `policy` if given). */
function session(steps: unknown[], policy?: typeof DENY_ALL_TARGETS, secrets?: Record<string, string>) {
  transport = new HttpTransport({ connections: 1, ...(policy ? { targetPolicy: policy } : {}) });
  return compile({ steps }, "http://127.0.0.1:1", secrets ? { secrets } : {}).createSession(1);
}

describe("a unary grpc step against a local grpc-js server", () => {
  it("calls with the message and metadata rendered, checks and extracts the response, and feeds a later step", async () => {
    const before = seen.length;
    const s = session(
      [
        grpc({
          name: "hello",
          message: { name: "vu{{__vu}}" },
          metadata: { "x-user": "u{{__vu}}", authorization: "Bearer {{secrets.TOKEN}}" },
          checks: [
            { type: "status", in: ["OK"] },
            { type: "jsonPath", path: "$.greeting", equals: "hello vu1" },
          ],
          extract: [{ type: "jsonPath", var: "greeting", path: "$.greeting" }],
        }),
        grpc({ name: "again", message: { name: "{{greeting}}" } }),
      ],
      undefined,
      { TOKEN: "s3cr3t" },
    );
    const records = await runIteration(s, transport);
    expect(records.map((r) => [r.name, r.method, r.status, r.failure, r.checksPassed, r.checksFailed, r.protocol])).toEqual([
      ["gRPC hello", "GRPC", 0, null, 3, 0, "grpc"],
      ["gRPC again", "GRPC", 0, null, 0, 0, "grpc"],
    ]);
    expect(records[0]!.bytesOut).toBe(5); // field 1, length 3, "vu1"
    expect(records[0]!.bytesIn).toBeGreaterThan(10);
    expect(seen.slice(before).map((c) => c.name)).toEqual(["vu1", "hello vu1"]);
    expect(seen[before]!.metadata.get("x-user")).toEqual(["u1"]);
    expect(seen[before]!.metadata.get("authorization")).toEqual(["Bearer s3cr3t"]);
    expect(s.variables().greeting).toBe("hello vu1");
  });

  it("records a status other than OK as a `grpc` failure with its code, a listed one as none, DEADLINE_EXCEEDED as `timeout`", async () => {
    const s = session([
      grpc({ name: "missing", message: { code: status.NOT_FOUND } }),
      grpc({ name: "expected", message: { code: status.NOT_FOUND }, checks: [{ type: "status", in: ["NOT_FOUND"] }] }),
      grpc({ name: "ok-but-wrong", checks: [{ type: "status", in: [5] }] }),
      grpc({ name: "slow", message: { delay_ms: 300 }, deadlineMs: 50 }),
      grpc({ name: "bad-check", message: { name: "x" }, checks: [{ type: "bodyContains", value: "nope" }] }),
    ]);
    const records = await runIteration(s, transport);
    expect(records.map((r) => [r.name, r.status, r.failure, r.checksFailed])).toEqual([
      ["gRPC missing", 5, "grpc", 0],
      ["gRPC expected", 5, null, 0],
      ["gRPC ok-but-wrong", 0, "check", 1],
      ["gRPC slow", 4, "timeout", 0],
      ["gRPC bad-check", 0, "check", 1],
    ]);
    const slow = records[3]!;
    expect(slow.endedAt - slow.sentAt).toBeLessThan(250);
  });

  it("fails a call whose metadata renders to a value gRPC refuses, sending nothing and throwing nothing", async () => {
    const before = seen.length;
    transport = new HttpTransport({ connections: 1 });
    const s = compile({ variables: { bad: "a\nb" }, steps: [grpc({ metadata: { "x-user": "{{bad}}" } })] }, "http://x").createSession(1);
    const records = await runIteration(s, transport);
    expect(records.map((r) => [r.status, r.failure])).toEqual([[null, "connect"]]);
    expect(seen.length).toBe(before);
  });

  it("fails a call to a port nobody listens on as `connect`", async () => {
    const records = await runIteration(session([grpc({ target: "127.0.0.1:1", deadlineMs: 2000 })]), transport);
    expect(records.map((r) => [r.name, r.status, r.failure])).toEqual([["gRPC test.Greeter/Hello", null, "connect"]]);
  });
});

describe("a server-streaming grpc step", () => {
  it("records the first and next messages, each checked, and cancels at its count", async () => {
    const before = streamed;
    const s = session([
      grpc({
        name: "count",
        method: "Count",
        message: { to: 10, every_ms: 5 },
        stream: { count: 4 },
        checks: [{ type: "jsonPath", path: "$.n", exists: true }],
        extract: [{ type: "jsonPath", var: "n", path: "$.n" }],
      }),
      grpc({ name: "to-end", method: "Count", message: { to: 3, every_ms: 1 }, stream: {} }),
      grpc({ name: "short", method: "Count", message: { to: 2, every_ms: 1 }, stream: { count: 5 } }),
    ]);
    const records = await runIteration(s, transport);
    expect(records.map((r) => [r.name, r.failure, r.messagesIn ?? 0])).toEqual([
      ["gRPC first count", null, 1],
      ["gRPC next count", null, 1],
      ["gRPC next count", null, 1],
      ["gRPC next count", null, 1],
      ["gRPC first to-end", null, 1],
      ["gRPC next to-end", null, 1],
      ["gRPC next to-end", null, 1],
      ["gRPC first short", null, 1],
      ["gRPC next short", null, 1],
      ["gRPC next short", "reset", 0],
    ]);
    expect(records[0]!.checksPassed).toBe(2);
    expect(s.variables().n).toBe("4");
    // The count cancelled the call: the server stopped at it, or at most one more on its way.
    expect(streamed - before).toBeGreaterThanOrEqual(4 + 3 + 2);
    expect(streamed - before).toBeLessThanOrEqual(5 + 3 + 2);
  });

  it("is interrupted, not failed, when the stop cuts it short", async () => {
    const s = session([grpc({ name: "long", method: "Count", message: { to: 1000, every_ms: 10 }, stream: {} })]);
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    const { records, interrupted } = await runIterationOutcome(s, transport, stop.signal);
    expect(interrupted).toBe(true);
    const last = records.at(-1)!;
    expect([last.name, last.interrupted, last.failure]).toEqual(["gRPC next long", true, null]);
    expect(records.filter((r) => r.failure !== null)).toEqual([]);
  });
});

describe("the target policy", () => {
  it("blocks a grpc call to an address the tenant may not reach: nothing reaches the server", async () => {
    const before = seen.length;
    const records = await runIteration(session([grpc({}), grpc({ method: "Count", stream: {} })], DENY_ALL_TARGETS), transport);
    expect(records.map((r) => [r.name, r.status, r.failure])).toEqual([
      ["gRPC test.Greeter/Hello", null, "blocked"],
      ["gRPC first test.Greeter/Count", null, "blocked"],
    ]);
    expect(seen.length).toBe(before);
  });

  it("connects to the checked address of an allowed name, and refuses a name resolving to a refused one", async () => {
    const resolveTo = (address: string) => (_host: string, _o: unknown, cb: (e: null, a: { address: string; family: number }[]) => void) =>
      cb(null, [{ address, family: 4 }]);
    const allowed = { allow: ["greeter.test"], loopback: true, privateNetworks: false };
    transport = new HttpTransport({ connections: 1, targetPolicy: allowed, resolve: resolveTo("127.0.0.1") });
    const ok = await runIteration(compile({ steps: [grpc({ target: `greeter.test:${port}` })] }, "http://x").createSession(1), transport);
    expect(ok.map((r) => [r.status, r.failure])).toEqual([[0, null]]);
    await transport.close();
    transport = new HttpTransport({ connections: 1, targetPolicy: { ...allowed, loopback: false }, resolve: resolveTo("127.0.0.1") });
    const refused = await runIteration(
      compile({ steps: [grpc({ target: `greeter.test:${port}` })] }, "http://x").createSession(1),
      transport,
    );
    expect(refused.map((r) => [r.status, r.failure])).toEqual([[null, "blocked"]]);
  });
});

describe("compiling a grpc step", () => {
  it("refuses a proto that does not compile, a missing service or method, and a stream field that does not fit, naming them", () => {
    const fails = (over: Record<string, unknown>) => () => compile({ steps: [grpc(over)] }, "http://127.0.0.1:1");
    expect(fails({ proto: 'syntax = "proto3"; message {' })).toThrow(/^grpc step proto: /);
    expect(fails({ service: "test.Nope" })).toThrow(/grpc step service: the proto has no service test\.Nope \(it has test\.Greeter\)/);
    expect(fails({ method: "Bye" })).toThrow(/grpc step method: test\.Greeter has no method Bye/);
    expect(fails({ method: "Count" })).toThrow(/grpc step stream: Count is server-streaming/);
    expect(fails({ stream: {} })).toThrow(/grpc step stream: Hello is unary/);
  });
});
