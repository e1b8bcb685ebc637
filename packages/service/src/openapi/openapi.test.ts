import type { Access } from "@loadline/core";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { installErrorHandler } from "../http.ts";
import { createLogger } from "../log.ts";
import { DOCS_CSP, openApiRoutes } from "./docs-routes.ts";
import { openApiDocument } from "./document.ts";
import { ComponentSchemas } from "./json-schema.ts";
import type { RouteCatalog } from "./route-doc.ts";

const info = { title: "t", version: "1", description: "d" };
const access: Record<string, Access> = { "GET /v1/things/:id": "viewer", "POST /v1/things": "editor", "GET /healthz": "public" };
const accessOf = (route: string) => access[route];

const routes: RouteCatalog = {
  "GET /v1/things/:id": {
    summary: "Get a thing",
    tags: ["Things"],
    query: z.object({ limit: z.coerce.number().int().default(50), tag: z.string().describe("a tag") }),
    responses: { 200: { description: "The thing.", schema: z.object({ id: z.string() }) } },
  },
  "POST /v1/things": {
    summary: "Create a thing",
    tags: ["Things"],
    body: z.object({ name: z.string(), size: z.number().default(1) }).strict(),
    responses: { 201: { description: "Created." }, 409: { description: "Taken." } },
  },
  "GET /healthz": { summary: "Liveness", tags: ["Ops"], responses: { 200: { description: "Up." } } },
};

describe("openApiDocument", () => {
  const doc = openApiDocument({ info, routes, accessOf });
  type Op = { parameters: { name: string; in: string; required: boolean; schema: object }[]; responses: Record<string, object> } & Record<
    string,
    unknown
  >;
  const get = doc.paths["/v1/things/{id}"]?.get as Op;
  const post = doc.paths["/v1/things"]?.post as Op;

  it("writes Hono's paths as OpenAPI's, each parameter in its place: ids, the query's properties (defaults optional)", () => {
    expect(get.operationId).toBe("getThing");
    expect(get.parameters).toEqual([
      { name: "id", in: "path", required: true, schema: { type: "string", pattern: "^[A-Za-z0-9_-]{1,64}$" } },
      {
        name: "limit",
        in: "query",
        required: false,
        schema: { type: "integer", default: 50, minimum: expect.any(Number), maximum: expect.any(Number) },
      },
      { name: "tag", in: "query", required: true, description: "a tag", schema: { type: "string" } },
    ]);
  });

  it("documents the body as the route reads it (io: input) and the errors each kind of route may answer", () => {
    expect(post.requestBody).toEqual({
      required: true,
      content: {
        "application/json": {
          schema: {
            type: "object",
            properties: { name: { type: "string" }, size: { type: "number", default: 1 } },
            required: ["name"],
            additionalProperties: false,
          },
        },
      },
    });
    expect(Object.keys(post.responses)).toEqual(["201", "400", "401", "403", "409", "413", "415", "429"]);
    expect(post.responses["409"]).toEqual({
      description: "Taken.",
      content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
    });
    expect(Object.keys(get.responses)).toEqual(["200", "400", "401", "403", "404", "429"]);
  });

  it("says who may call each operation: its x-loadline-role, and no security for a public one", () => {
    expect(post["x-loadline-role"]).toBe("editor");
    expect(post.security).toEqual([{ apiKey: [] }, { jwt: [] }]);
    const health = doc.paths["/healthz"]?.get as Op;
    expect(health["x-loadline-role"]).toBe("public");
    expect(health.security).toEqual([]);
    expect(Object.keys(health.responses)).toEqual(["200"]);
  });

  it("refuses a route without an access rule, and a parameter its path does not have", () => {
    const lone: RouteCatalog = { "GET /v1/other": { summary: "Other", tags: [], responses: {} } };
    expect(() => openApiDocument({ info, routes: lone, accessOf })).toThrow(/no access rule/);
    const stray: RouteCatalog = { "GET /healthz": { summary: "L", tags: [], params: { id: z.string() }, responses: {} } };
    expect(() => openApiDocument({ info, routes: stray, accessOf })).toThrow(/no path parameter id/);
  });
});

describe("ComponentSchemas", () => {
  it("makes a schema with an id one component every use refers to, recursive ones too", () => {
    const node: z.ZodType = z.lazy(() => z.union([z.string(), z.array(node)])).meta({ id: "TestNode" });
    const schemas = new ComponentSchemas();
    expect(schemas.of(z.object({ a: node, b: z.array(node) }), "input")).toEqual({
      type: "object",
      properties: { a: { $ref: "#/components/schemas/TestNode" }, b: { type: "array", items: { $ref: "#/components/schemas/TestNode" } } },
      required: ["a", "b"],
    });
    expect(JSON.stringify(schemas.schemas.TestNode)).toContain('"$ref":"#/components/schemas/TestNode"');
  });
});

describe("openApiRoutes", () => {
  // Mounted as serviceApp mounts it: its refusals answer in the error shape of the app around it.
  const app = new Hono();
  installErrorHandler(app, createLogger("test", "silent"));
  app.route(
    "/",
    openApiRoutes(() => ({ openapi: "3.1.0" })),
  );

  it("serves the document, and a reference page that loads nothing but from its own origin", async () => {
    expect(await (await app.request("/openapi.json")).json()).toEqual({ openapi: "3.1.0" });
    const page = await app.request("/docs");
    expect(page.headers.get("content-security-policy")).toBe(DOCS_CSP);
    const html = await page.text();
    expect(html).toContain('data-url="openapi.json"');
    expect(html).toContain('<script src="docs/scalar.js"></script>');
    expect(html).not.toMatch(/https?:\/\//);
  });

  it("serves Scalar's bundle from the installed package, and nothing else under /docs", async () => {
    const js = await app.request("/docs/scalar.js");
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect((await js.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    const other = await app.request("/docs/other.js");
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ error: { code: "not_found", field: "path" } });
  });
});
