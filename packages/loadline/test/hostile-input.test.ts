import { newId } from "@loadline/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StackFixture, startTestStack } from "./fixture.ts";
import { type RawAnswer, sendRaw } from "./raw-http.ts";

/**
 * Issue 16's HTTP cases against the real stack, where no test covers them yet. Those covered
 * elsewhere, not repeated here:
 *
 * - case 1, poison pill: a NUL name, a lone surrogate (value and key), NUL in a JSON header
 *   value, then a write projected at once: api.test.ts "a NUL or a lone surrogate in a string is
 *   a 400 naming it, and the projection goes on"; every key and value: service json-input.test.ts.
 * - case 2, deep nesting: 3,000 deep in a step's body.json: api.test.ts "a step body.json nested
 *   3,000 deep is a 400 naming the field, not a crash"; 100,000 deep without recursion: json-input.test.ts.
 * - case 3, NUL in path and query (percent-encoded): api.test.ts "ids and parameters that are
 *   not: 404 for a path id, 400 naming the parameter"; service http.test.ts "query" and "idParam".
 * - case 4, two 600 KB bodies (413) and a 20 MB Content-Length refused unread: api.test.ts
 *   "bodies over the limit are a 413: by Content-Length before they are sent, and by size";
 *   a command over NATS's max payload: "... would not fit in a NATS message is a 413 naming its largest part".
 * - case 5, If-Match 99999999999999999999: api.test.ts "an If-Match past the safe integers is a
 *   400 at once ..."; orchestrator routes.test.ts for PUT and DELETE.
 * - case 9: api.test.ts "a wrong method is a 405 with Allow, OPTIONS a 204 with Allow", "JSON
 *   bodies need a JSON Content-Type: 415 ...", "step urls are http(s) only, the scheme in any
 *   case ..." (HTTP:// taken, file:/// and javascript: refused naming the url), "a Host not
 *   served here is a 421 (DNS rebinding); Node's own refusals answer in the shape" (400, 431);
 *   CONNECT, Expect and bytes after a request: service listen.test.ts.
 * - all of them at random, 10,000 requests over every route: hostile-input-fuzz.test.ts.
 */

let f: StackFixture;
let port: number;
/** The platform admin's credential, as a header line: each request here is meant to reach its route, past authentication. */
let auth: string;
beforeAll(async () => {
  f = await startTestStack();
  port = Number(new URL(f.stack.apiUrl).port);
  auth = `Authorization: Bearer ${f.stack.adminKey}\r\n`;
});
afterAll(() => f?.close());

const spec = (name = "hostile") => ({
  name,
  targetUrl: f.stack.demoTarget!.url,
  requests: [{ method: "GET", path: "/fixed?ms=1" }],
  defaultUsers: 1,
  defaultSpawnRate: 1,
  defaultDurationSec: 1,
  maxDurationSec: 1,
});

/** A request written as is (latin1: one char, one byte), on a connection of its own; the answer and whether the server closed. */
async function raw(
  head: string,
  body: Buffer | string = "",
): Promise<RawAnswer & { error: { code: string; message: string; field?: string } }> {
  const parts = [Buffer.from(head, "latin1"), ...(body.length > 0 ? [Buffer.from(body)] : [])];
  const outcome = await sendRaw(port, { parts, timeoutMs: 10_000, expectClose: true, closeWaitMs: 3_000 });
  if (outcome.kind !== "answer") throw new Error(`no answer (${outcome.kind}) to ${JSON.stringify(head.slice(0, 80))}`);
  const parsed = JSON.parse(outcome.answer.body.toString("utf8") || "{}") as { error: { code: string; message: string; field?: string } };
  return { ...outcome.answer, error: parsed.error };
}

const json = (method: string, path: string, body: string, headers = "") =>
  raw(
    `${method} ${path} HTTP/1.1\r\nHost: localhost\r\n${auth}Connection: close\r\nContent-Type: application/json\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
    body,
  );

async function create(body: object = spec()): Promise<{ id: string }> {
  const res = await f.api.fetch(`/v1/load-tests`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string };
}

/** The read side serves: caught up, nothing dead-lettered, ready, and a test written now is read back. */
async function readSideServes(): Promise<void> {
  const written = await create(spec("written after"));
  await f.api.waitForProjections(20_000);
  const { items } = (await (await f.api.fetch(`/v1/projections`)).json()) as { items: { deadLetters: number; state: string }[] };
  expect(items.map((p) => [p.deadLetters, p.state])).toEqual(items.map(() => [0, "ok"]));
  expect((await f.api.fetch(`/readyz`)).status).toBe(200);
  const read = await f.api.fetch(`/v1/load-tests/${written.id}`);
  expect([read.status, ((await read.json()) as { name: string }).name]).toEqual([200, "written after"]);
}

describe("issue 16 case 1: poison pill", () => {
  it("a NUL or control byte in a header value is a 400 naming the header, on reads and writes, and the read side keeps serving", async () => {
    const { id } = await create();
    const body = JSON.stringify(spec());
    for (const [method, path, header, withBody] of [
      ["GET", "/v1/load-tests", "X-Tenant-Id: a\u0000b", false],
      ["POST", "/v1/load-tests", "X-Tenant-Id: \u0000", true],
      ["POST", "/v1/load-tests", "X-Actor: api\u0000", true],
      ["POST", "/v1/load-tests", "X-Actor: a\u0001b", true],
      ["PUT", `/v1/load-tests/${id}`, 'If-Match: "1\u0000"', true],
      ["DELETE", `/v1/load-tests/${id}`, "If-Match: \u001b1", false],
      ["GET", `/v1/runs?minSeq=0`, "X-Min-Seq: 0\u007f", false],
    ] as const) {
      const head = `${method} ${path} HTTP/1.1\r\nHost: localhost\r\n${auth}Connection: close\r\n${header}\r\n`;
      const answer = withBody
        ? await raw(`${head}Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`, body)
        : await raw(`${head}\r\n`);
      expect([answer.status, answer.error.code, answer.error.field], header).toEqual([400, "bad_request", header.split(":")[0]]);
      expect(answer.closed, header).toBe(true);
    }
    // None of them was taken: the test is as it was.
    expect(((await (await f.api.fetch(`/v1/load-tests/${id}`)).json()) as { version: number }).version).toBe(1);
    await readSideServes();
  });

  it("a lone surrogate or NUL in a key, and NUL in a run start, are 400s naming where, and the read side keeps serving", async () => {
    const { id } = await create();
    for (const [path, body, field] of [
      ["/v1/load-tests", `{"name":"k","requests":[{"method":"GET","path":"/","headers":{"\\ud800":"v"}}]}`, "requests.0.headers.\\ud800"],
      ["/v1/load-tests", `{"name":"k","tags":["a"],"\\u0000":1}`, "\\u0000"],
      [`/v1/load-tests/${id}/runs`, `{"workerSelector":{"region":"eu\\u0000"}}`, "workerSelector.region"],
      [`/v1/load-tests/${id}/runs`, `{"targetUsers":1,"wor\\udc00kers":1}`, "wor\\udc00kers"],
    ] as const) {
      const answer = await json("POST", path, body);
      expect([answer.status, answer.error.code, answer.error.field], body).toEqual([400, "invalid_request", field]);
    }
    // No run was started by them.
    const runs = (await (await f.api.fetch(`/v1/runs?loadTestId=${id}`)).json()) as { total: number };
    expect(runs.total).toBe(0);
    await readSideServes();
  });
});

describe("issue 16 case 2: deep nesting", () => {
  it("every route that reads a body refuses JSON nested 1,000 and 3,000 deep with a 400 naming where, and still serves", async () => {
    const { id } = await create();
    const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
    // The body counts one level: the 64th array inside a field of the body is too deep.
    const inField = (name: string) => `${name}${".0".repeat(63)}`;
    for (const [method, path] of [
      ["POST", "/v1/load-tests"],
      ["PUT", `/v1/load-tests/${id}`],
      ["POST", `/v1/load-tests/${id}/runs`],
    ] as const) {
      for (const depth of [1_000, 3_000]) {
        const inside = await json(method, path, `{"name":"deep","tags":${nested(depth)}}`);
        expect([inside.status, inside.error.field], `${method} ${path} ${depth}`).toEqual([400, inField("tags")]);
        const whole = await json(method, path, nested(depth));
        expect([whole.status, whole.error.field], `${method} ${path} ${depth} whole`).toEqual([400, `0${".0".repeat(63)}`]);
      }
    }
    await readSideServes();
  });
});

describe("issue 16 case 3: NUL in path and query", () => {
  it("a raw NUL byte in the path or the query is a 400 from the parser, in the shape; an id that is no id a 404", async () => {
    for (const target of ["/v1/load-tests/a\u0000b", "/v1/runs?status=\u0000", "/v1/load-tests?tag=a\u0000"]) {
      const answer = await raw(`GET ${target} HTTP/1.1\r\nHost: localhost\r\n${auth}Connection: close\r\n\r\n`);
      expect([answer.status, answer.error.code, answer.error.field], JSON.stringify(target)).toEqual([400, "bad_request", "request"]);
    }
    // A lone surrogate's bytes, percent-encoded, in an id: no id, not found; in a run's stop, the same.
    for (const [method, path] of [
      ["GET", "/v1/load-tests/%ED%A0%80"],
      ["POST", "/v1/runs/%ED%A0%80/stop"],
      ["GET", `/v1/runs/%00${newId()}/metrics/aggregate`],
    ] as const) {
      const answer = await raw(`${method} ${path} HTTP/1.1\r\nHost: localhost\r\n${auth}Connection: close\r\n\r\n`);
      expect([answer.status, answer.error.field], path).toEqual([404, "id"]);
    }
  });
});

describe("issue 16 case 4: over-size", () => {
  it("a chunked body over the limit (no Content-Length to refuse it by) is a 413 once it passes the limit, and the connection is closed", async () => {
    const chunk = (b: Buffer) => Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from("\r\n")]);
    const piece = Buffer.alloc(64 * 1024, "x");
    const parts = [
      Buffer.from(
        `POST /v1/load-tests HTTP/1.1\r\nHost: localhost\r\n${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      ),
      chunk(Buffer.from('{"name":"')),
      // 1.5 MiB, a piece at a time: the answer comes before the last one is sent, and no more is written after it.
      ...Array.from({ length: 24 }, () => chunk(piece)),
      Buffer.from('"}\r\n0\r\n\r\n'),
    ];
    const outcome = await sendRaw(port, { parts, timeoutMs: 10_000, closeWaitMs: 3_000 });
    expect(outcome.kind).toBe("answer");
    if (outcome.kind !== "answer") return;
    const error = (JSON.parse(outcome.answer.body.toString("utf8")) as { error: object }).error;
    expect([outcome.answer.status, error]).toEqual([413, expect.objectContaining({ code: "payload_too_large", field: "body" })]);
    expect(outcome.answer.closed).toBe(true);
    await readSideServes();
  });
});
