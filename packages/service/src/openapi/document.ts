import type { Access } from "@loadline/core";
import { z } from "zod";
import { ID_PATTERN } from "../http.ts";
import { ERRORS, errorBodySchema } from "./error-responses.ts";
import { ComponentSchemas, type JsonSchema } from "./json-schema.ts";
import type { ResponseDoc, RouteCatalog, RouteDoc } from "./route-doc.ts";
import { SECURITY_SCHEMES, securityOf } from "./security.ts";

/** The OpenAPI 3.1 document's top level; operations and schemas are JSON as the spec shapes them. */
export type OpenApiDocument = {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  jsonSchemaDialect: string;
  tags: { name: string }[];
  paths: Record<string, Record<string, JsonSchema>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: typeof SECURITY_SCHEMES };
  security: Record<string, string[]>[];
};

export type OpenApiOptions = {
  info: OpenApiDocument["info"];
  routes: RouteCatalog;
  /** Who may call each route (AccessControl's accessOf, over routeAccess): each operation's `x-loadline-role` and security. */
  accessOf: (route: string) => Access | undefined;
};

/** The schema of a path parameter no route names otherwise: a subject token (idParam's check). */
const idSchema = z.string().regex(ID_PATTERN);

/** `/v1/runs/:id` as OpenAPI writes it, `/v1/runs/{id}`, and the parameters' names. */
function pathOf(honoPath: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = honoPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path, params };
}

/** "Start a run" → "startRun": unique per document (the validator holds it), so a generated client has a name for each. */
const operationIdOf = (summary: string): string =>
  summary
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w && !["a", "an", "the", "of", "its", "or"].includes(w.toLowerCase()))
    .map((w, i) => (i === 0 ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1)))
    .join("");

/**
 * The OpenAPI 3.1 document of `routes`: each operation's parameters and body from the zod schemas
 * the route validates with, its answers, the errors its kind of route may give, and who may call
 * it. Throws on a route without an access rule, or whose parameters its path does not have.
 */
export function openApiDocument(opts: OpenApiOptions): OpenApiDocument {
  const schemas = new ComponentSchemas();
  const errorSchema = schemas.of(errorBodySchema, "output");
  const paths: OpenApiDocument["paths"] = {};
  const tags = new Set<string>();

  const responseOf = ({ description, schema, content, headers }: ResponseDoc, status: number): JsonSchema => {
    const bodies: Record<string, JsonSchema> = {};
    if (schema) bodies["application/json"] = { schema: schemas.of(schema, "output") };
    else if (status >= 400 && !content) bodies["application/json"] = { schema: errorSchema };
    for (const [type, s] of Object.entries(content ?? {})) bodies[type] = s ? { schema: schemas.of(s, "output") } : {};
    return {
      description,
      ...(headers
        ? { headers: Object.fromEntries(Object.entries(headers).map(([h, d]) => [h, { description: d, schema: { type: "string" } }])) }
        : {}),
      ...(Object.keys(bodies).length > 0 ? { content: bodies } : {}),
    };
  };

  const parametersOf = (key: string, doc: RouteDoc, params: string[]): JsonSchema[] => {
    const unknown = Object.keys(doc.params ?? {}).filter((p) => !params.includes(p));
    if (unknown.length > 0) throw new Error(`${key}: no path parameter ${unknown.join(", ")}`);
    const inPath = params.map((name) => ({
      name,
      in: "path",
      required: true,
      schema: schemas.of(doc.params?.[name] ?? idSchema, "input"),
    }));
    const query = doc.query ? schemas.of(doc.query, "input") : { properties: {} };
    const required = new Set((query.required as string[] | undefined) ?? []);
    const inQuery = Object.entries((query.properties ?? {}) as Record<string, JsonSchema>).map(([name, schema]) => {
      const { description, ...rest } = schema;
      return { name, in: "query", required: required.has(name), ...(description ? { description } : {}), schema: rest };
    });
    const inHeaders = Object.entries(doc.headers ?? {}).map(([name, description]) => ({
      name,
      in: "header",
      description,
      schema: { type: "string" },
    }));
    return [...inPath, ...inQuery, ...inHeaders];
  };

  for (const [key, doc] of Object.entries(opts.routes)) {
    const access = opts.accessOf(key);
    if (access === undefined) throw new Error(`${key} is documented but has no access rule (routeAccess): nobody may call it`);
    const [method, honoPath] = key.split(" ") as [string, string];
    const { path, params } = pathOf(honoPath);
    const errors = {
      ...(access === "public" ? {} : ERRORS.credential),
      ...(doc.query ? ERRORS.query : {}),
      ...(doc.body ? ERRORS.body : {}),
      ...(params.length > 0 ? ERRORS.path : {}),
    };
    const responses = Object.fromEntries(
      Object.entries({ ...errors, ...doc.responses })
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([status, r]) => [status, responseOf(r, Number(status))]),
    );
    const parameters = parametersOf(key, doc, params);
    for (const tag of doc.tags) tags.add(tag);
    paths[path] ??= {};
    paths[path][method.toLowerCase()] = {
      operationId: operationIdOf(doc.summary),
      summary: doc.summary,
      ...(doc.description ? { description: doc.description } : {}),
      tags: [...doc.tags],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(doc.body
        ? { requestBody: { required: !doc.bodyOptional, content: { "application/json": { schema: schemas.of(doc.body, "input") } } } }
        : {}),
      responses,
      security: securityOf(access),
      "x-loadline-role": access,
    };
  }

  return {
    openapi: "3.1.0",
    info: opts.info,
    jsonSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
    tags: [...tags].map((name) => ({ name })),
    paths,
    components: { schemas: schemas.schemas, securitySchemes: SECURITY_SCHEMES },
    security: securityOf("viewer"),
  };
}
