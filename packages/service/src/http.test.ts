import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { idParam, installErrorHandler, jsonBody, query } from "./http.ts";
import { createLogger } from "./log.ts";
import { errorOf } from "./test-errors.ts";

const schema = z.object({ name: z.string(), headers: z.record(z.string(), z.string()).optional(), json: z.unknown().optional() }).strict();

/** An app of the helpers alone: what a route of any service gets from them. */
function app() {
  const a = new Hono();
  installErrorHandler(a, createLogger("test", "silent"));
  a.post("/things", async (c) => c.json(await jsonBody(c, schema)));
  a.get("/things", (c) =>
    c.json(query(c, z.object({ tag: z.string().optional(), names: z.array(z.string()).optional() }), { names: c.req.queries("names") })),
  );
  a.get("/things/:id", (c) => c.json({ id: idParam(c, "thing") }));
  return a;
}

const post = (body: string, type: string | null = "application/json") =>
  app().request("/things", { method: "POST", body, headers: type === null ? {} : { "content-type": type } });

describe("jsonBody: JSON bodies are checked at the door", () => {
  it("reads a JSON body sent as JSON, with a charset or as a +json type", async () => {
    expect(await (await post('{"name":"a"}')).json()).toEqual({ name: "a" });
    expect((await post('{"name":"a"}', "application/json; charset=utf-8")).status).toBe(200);
    expect((await post('{"name":"a"}', "application/merge-patch+json")).status).toBe(200);
  });

  it("415 naming Content-Type for text/plain, a form, or none (no cross-site write without a preflight)", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", null]) {
      expect(await errorOf(await post('{"name":"a"}', type)), String(type)).toMatchObject({
        status: 415,
        code: "unsupported_media_type",
        field: "Content-Type",
      });
    }
  });

  it("400 naming the body for invalid JSON", async () => {
    expect(await errorOf(await post("{not json"))).toMatchObject({ status: 400, code: "invalid_json", field: "body" });
  });

  it("400 naming the field for NUL or an unpaired surrogate, in a value or a key, before the schema", async () => {
    expect(await errorOf(await post(JSON.stringify({ name: "nul\u0000name" })))).toMatchObject({ status: 400, field: "name" });
    expect(await errorOf(await post('{"name":"\\ud800"}'))).toMatchObject({ status: 400, field: "name" });
    expect(await errorOf(await post(JSON.stringify({ name: "a", headers: { "x-a": "\u0000" } })))).toMatchObject({
      status: 400,
      field: "headers.x-a",
    });
    expect(await errorOf(await post(JSON.stringify({ name: "a", headers: { "x\u0000": "v" } })))).toMatchObject({
      field: "headers.x\\u0000",
    });
  });

  it("400 naming an unknown field itself, and the body when it is not an object", async () => {
    expect(await errorOf(await post('{"name":"a","colour":"red"}'))).toMatchObject({ status: 400, field: "colour" });
    expect(await errorOf(await post('{"name":"a","headers":{"x":"1"},"json":1,"extra":{"deep":1}}'))).toMatchObject({ field: "extra" });
    for (const body of ["[]", '"text"', "1", "null"])
      expect(await errorOf(await post(body)), body).toMatchObject({ status: 400, code: "invalid_request", field: "body" });
  });

  it("a body cut off by the connection's end is a 400 naming the body, not an internal error logged", async () => {
    const errors: unknown[] = [];
    const log = new Proxy(createLogger("test", "silent"), {
      get: (target, prop, receiver) => (prop === "error" ? (...args: unknown[]) => errors.push(args) : Reflect.get(target, prop, receiver)),
    });
    const a = new Hono();
    installErrorHandler(a, log);
    a.post("/things", async (c) => c.json(await jsonBody(c, schema)));
    // What the Node adapter's body stream does when the client resets mid-body.
    const body = new ReadableStream({ pull: (c) => c.error(Object.assign(new Error("aborted"), { code: "ECONNRESET" })) });
    const res = await a.request("/things", {
      method: "POST",
      body,
      headers: { "content-type": "application/json" },
      duplex: "half",
    } as RequestInit);
    expect(await errorOf(res)).toMatchObject({ status: 400, code: "bad_request", field: "body" });
    expect(errors).toEqual([]);
  });

  it("400 naming the field for JSON nested 3,000 deep, never a 500", async () => {
    const res = await post(`{"name":"a","json":${"[".repeat(3000)}${"]".repeat(3000)}}`);
    expect(await errorOf(res)).toMatchObject({ status: 400, code: "invalid_request", field: expect.stringMatching(/^json(\.0)+$/) });
  });
});

describe("query: parameters with NUL or bad text never reach a query", () => {
  it("400 naming the parameter, known to the schema or not, single or repeated", async () => {
    for (const [q, field] of [
      ["tag=%00", "tag"],
      ["names=a&names=b%00", "names"],
      ["other=%ED%A0%80x%00", "other"],
    ] as const) {
      expect(await errorOf(await app().request(`/things?${q}`)), q).toMatchObject({ status: 400, field });
    }
    expect(await (await app().request("/things?tag=a&names=b&names=c")).json()).toEqual({ tag: "a", names: ["b", "c"] });
  });

  it("a parameter a strict schema does not know is a 400 naming it", async () => {
    const strict = new Hono();
    installErrorHandler(strict, createLogger("test", "silent"));
    strict.get("/strict", (c) => c.json(query(c, z.object({ state: z.string().optional() }).strict())));
    const res = await errorOf(await strict.request("/strict?state=a&colour=red"));
    expect(res).toMatchObject({ status: 400, code: "invalid_request", field: "colour", message: expect.stringMatching(/^query: /) });
  });
});

describe("idParam", () => {
  it("a path id that is not an id is a 404 naming id", async () => {
    for (const path of ["/things/%00", "/things/a.b", `/things/${"x".repeat(65)}`, "/things/%F0"])
      expect(await errorOf(await app().request(path)), path).toMatchObject({ status: 404, code: "not_found", field: "id" });
    expect(await (await app().request("/things/a-B_9")).json()).toEqual({ id: "a-B_9" });
  });
});
