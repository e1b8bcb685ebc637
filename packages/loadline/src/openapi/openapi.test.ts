import { readFileSync } from "node:fs";
import { createApiKeyBodySchema, createScheduleBodySchema, startRunBodySchema } from "@loadline/orchestrator";
import { type JsonSchema, type OpenApiDocument, routeAccess } from "@loadline/service";
import { validate } from "@readme/openapi-parser";
// ajv comes with @readme/openapi-parser: a JSON Schema validator that knows nothing of zod, to read the document as a client would.
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { API_ROUTES, apiDocument } from "./api-document.ts";
import { apiClientTypes } from "./client-types.ts";

const document = apiDocument();
const ROOT = new URL("../../../../", import.meta.url);

/** The body schema an operation documents, compiled with the document's components (its $refs point there). */
function documentedBody(doc: OpenApiDocument, method: string, path: string) {
  const operation = doc.paths[path]?.[method] as { requestBody: { content: Record<string, { schema: JsonSchema }> } };
  const schema = operation.requestBody.content["application/json"]!.schema;
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  return ajv.compile({ ...schema, components: doc.components });
}

describe("the API's OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const result = await validate(structuredClone(document) as never);
    expect(result).toMatchObject({ valid: true, warnings: [] });
    expect(document.openapi).toBe("3.1.0");
  });

  it("documents every route of routeAccess, and no route it has not (a route of yours: routes/*.ts beside this)", () => {
    const documented = Object.keys(API_ROUTES).sort();
    const ruled = Object.keys(routeAccess("open")).sort();
    expect(
      documented.filter((r) => !ruled.includes(r)),
      "documented without an access rule",
    ).toEqual([]);
    expect(
      ruled.filter((r) => !documented.includes(r)),
      "with an access rule, not documented",
    ).toEqual([]);
  });

  it("gives each operation the least role that may call it, and a credential unless it is public", () => {
    const access = routeAccess("open");
    // Routes not documented yet are the test above's failure, not this one's.
    for (const [key, role] of Object.entries(access).filter(([route]) => route in API_ROUTES)) {
      const [method, honoPath] = key.split(" ") as [string, string];
      const operation = document.paths[honoPath.replace(/:(\w+)/g, "{$1}")]?.[method.toLowerCase()];
      expect(operation?.["x-loadline-role"], key).toBe(role);
      expect(operation?.security, key).toEqual(role === "public" ? [] : [{ apiKey: [] }, { jwt: [] }]);
      if (role !== "public")
        expect(Object.keys(operation?.responses as object), key).toEqual(expect.arrayContaining(["401", "403", "429"]));
    }
    expect(apiDocument((route) => routeAccess("keyed")[route]).paths["/metrics"]?.get?.["x-loadline-role"]).toBe("viewer");
  });

  it("is committed as docs/openapi.json (regenerate with npm run docs:openapi)", () => {
    expect(JSON.parse(readFileSync(new URL("docs/openapi.json", ROOT), "utf8"))).toEqual(document);
  });

  it("has its client types committed as packages/loadline/src/generated/api.d.ts (regenerate with npm run docs:openapi)", async () => {
    expect(readFileSync(new URL("packages/loadline/src/generated/api.d.ts", ROOT), "utf8")).toBe(await apiClientTypes(document));
  });

  // Each body as the route's own schema judges it, and as the document's: they must agree.
  const cases: { route: [string, string]; schema: z.ZodType; bodies: unknown[] }[] = [
    {
      route: ["post", "/v1/load-tests/{id}/runs"],
      schema: startRunBodySchema,
      bodies: [
        {},
        { targetUsers: 20 },
        { targetUsers: 20, bogus: 1 },
        { targetUsers: -1 },
        { targetUsers: "20" },
        { workerSelector: { region: "eu" } },
      ],
    },
    {
      route: ["post", "/v1/api-keys"],
      schema: createApiKeyBodySchema,
      bodies: [{ name: "ci", role: "operator" }, { name: "ci", role: "root" }, { name: "ci" }, { name: "ci", role: "viewer", extra: true }],
    },
    {
      route: ["post", "/v1/load-tests/{id}/schedules"],
      schema: createScheduleBodySchema,
      bodies: [
        { cron: "0 * * * *" },
        { cron: "0 * * * *", overlap: "queue" },
        { cron: "0 * * * *", overlap: "sometimes" },
        { cron: "0 * * * *", x: 1 },
      ],
    },
  ];
  for (const { route, schema, bodies } of cases) {
    it(`documents ${route[0].toUpperCase()} ${route[1]}'s body as the route checks it: unknown keys, types, enums`, () => {
      const check = documentedBody(document, ...route);
      for (const body of bodies) expect(check(body), JSON.stringify(body)).toBe(schema.safeParse(body).success);
    });
  }
});
