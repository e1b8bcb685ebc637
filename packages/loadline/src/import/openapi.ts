import { dereference } from "@readme/openapi-parser";
import { parse as parseYaml } from "yaml";
import {
  counted,
  type DraftBody,
  type DraftRequest,
  type DraftScenario,
  ImportError,
  type ImportOptions,
  type ImportResult,
  MAX_STEPS,
  secretName,
  smokeExecutor,
  uniqueName,
} from "./draft.ts";
import { exampleOf, type JsonSchema } from "./example-generator.ts";
import { isJsonType } from "./request-body.ts";

/**
 * An OpenAPI 3.0 or 3.1 description as a smoke test: a step per operation, each sending an
 * example request (the described examples, else one made from the schemas) and checking the
 * documented 2xx status. Operations are grouped into a scenario per tag (their first), in the
 * document's order: each scenario's stats read as the API's sections, and a scenario stays under
 * the schema's 200 steps. Security becomes headers that refer to tenant secrets.
 */

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch"] as const;
const MAX_SCENARIOS = 50;
/** Headers the worker or the security schemes set: a described header parameter of these names is not sent twice. */
const OWN_HEADERS = new Set(["authorization", "content-type", "accept", "content-length", "host", "cookie"]);

type Parameter = {
  name: string;
  in: string;
  required?: boolean;
  example?: unknown;
  examples?: Record<string, { value?: unknown }>;
  schema?: JsonSchema;
};
type Media = { schema?: JsonSchema; example?: unknown; examples?: Record<string, { value?: unknown }> };
type SecurityScheme = { type: string; scheme?: string; in?: string; name?: string };
type Operation = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, Media> };
  responses?: Record<string, unknown>;
  security?: Record<string, string[]>[];
};
type PathItem = Partial<Record<(typeof METHODS)[number], Operation>> & { parameters?: Parameter[] };
type Document = {
  openapi?: string;
  swagger?: string;
  info?: { title?: string; version?: string };
  servers?: { url: string; variables?: Record<string, { default?: string }> }[];
  paths?: Record<string, PathItem>;
  security?: Record<string, string[]>[];
  components?: { securitySchemes?: Record<string, SecurityScheme> };
};

/** An example of a parameter or a body: its example, its first named example, else one from its schema. */
function exampleOfMedia(m: { example?: unknown; examples?: Record<string, { value?: unknown }>; schema?: JsonSchema }): unknown {
  if (m.example !== undefined) return m.example;
  const named = Object.values(m.examples ?? {}).find((e) => e && e.value !== undefined);
  return named ? named.value : exampleOf(m.schema);
}

const asText = (v: unknown): string =>
  typeof v === "string" ? v : v === null || v === undefined ? "1" : typeof v === "object" ? JSON.stringify(v) : String(v);

/** The operation's parameters: the path item's, overridden by the operation's of the same name and place. */
function parametersOf(item: PathItem, op: Operation): Parameter[] {
  const all = new Map<string, Parameter>();
  for (const p of [...(item.parameters ?? []), ...(op.parameters ?? [])]) all.set(`${p.in}:${p.name}`, p);
  return [...all.values()];
}

function bodyOf(op: Operation): { body?: DraftBody; leftOut?: string } {
  const content = op.requestBody?.content;
  if (!content) return {};
  const types = Object.keys(content);
  const type = types.find(isJsonType) ?? types.find((t) => t.startsWith("application/x-www-form-urlencoded")) ?? types[0];
  if (!type) return {};
  const example = exampleOfMedia(content[type]!);
  if (isJsonType(type)) return { body: { json: example ?? {} } };
  if (type.startsWith("application/x-www-form-urlencoded") && example && typeof example === "object")
    return { body: { form: Object.fromEntries(Object.entries(example).map(([k, v]) => [k, asText(v)])) } };
  if (type.startsWith("multipart/")) return { leftOut: type };
  return { body: { raw: asText(example ?? ""), contentType: type } };
}

/** The documented 2xx statuses ("2XX" is all of them). */
function successStatuses(op: Operation): number[] {
  const codes = Object.keys(op.responses ?? {});
  const exact = codes.filter((c) => /^2\d\d$/.test(c)).map(Number);
  if (exact.length > 0) return exact;
  return codes.some((c) => /^2xx$/i.test(c)) ? [200, 201, 202, 203, 204, 205, 206] : [];
}

/** The headers and query parameters of the first security requirement the operation takes (none when any is optional). */
function securityOf(op: Operation, doc: Document, secrets: Set<string>): { headers: Record<string, string>; query: [string, string][] } {
  const requirements = op.security ?? doc.security ?? [];
  const headers: Record<string, string> = {};
  const query: [string, string][] = [];
  if (requirements.some((r) => Object.keys(r).length === 0)) return { headers, query };
  for (const name of Object.keys(requirements[0] ?? {})) {
    const scheme = doc.components?.securitySchemes?.[name];
    if (!scheme) continue;
    const http = scheme.type === "http" ? scheme.scheme?.toLowerCase() : undefined;
    if (http === "basic") {
      secrets.add("BASIC_AUTH");
      headers.authorization = "Basic {{secrets.BASIC_AUTH}}";
    } else if (http === "bearer" || scheme.type === "oauth2" || scheme.type === "openIdConnect") {
      secrets.add("API_TOKEN");
      headers.authorization = "Bearer {{secrets.API_TOKEN}}";
    } else if (scheme.type === "apiKey" && scheme.name) {
      const secret = secretName(scheme.name);
      secrets.add(secret);
      if (scheme.in === "header") headers[scheme.name.toLowerCase()] = `{{secrets.${secret}}}`;
      else if (scheme.in === "query") query.push([scheme.name, `{{secrets.${secret}}}`]);
    }
  }
  return { headers, query };
}

function serverOf(doc: Document, opts: ImportOptions): { targetUrl: string; basePath: string } {
  const server = doc.servers?.[0];
  const described = server ? server.url.replace(/\{([^}]+)\}/g, (_, v: string) => server.variables?.[v]?.default ?? v) : "/";
  const absolute = /^https?:\/\//i.test(described) ? new URL(described) : undefined;
  const basePath = (absolute ? absolute.pathname : described).replace(/\/+$/, "");
  if (opts.targetUrl) return { targetUrl: opts.targetUrl.replace(/\/+$/, ""), basePath };
  if (!absolute)
    throw new ImportError(
      `the description's server is ${server ? `"${server.url}"` : "not given"}, not an absolute URL: give --target-url`,
    );
  return { targetUrl: absolute.origin, basePath };
}

/** Reads a description (JSON or YAML), checking it is OpenAPI 3. */
function readDescription(text: string): Document {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (e) {
    throw new ImportError(`not JSON or YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  const doc = parsed as Document | null;
  if (!doc || typeof doc !== "object" || !doc.paths) throw new ImportError("not an OpenAPI description (no paths)");
  if (!doc.openapi?.startsWith("3."))
    throw new ImportError(`OpenAPI 3.0 or 3.1 only, not ${doc.swagger ? `Swagger ${doc.swagger}` : (doc.openapi ?? "this")}`);
  return doc;
}

/** The description with every `$ref` replaced by what it points at (it is not changed). */
async function dereferenced(doc: Document): Promise<Document> {
  try {
    return (await dereference(structuredClone(doc) as never)) as unknown as Document;
  } catch (e) {
    throw new ImportError(`cannot resolve the description's references: ${(e as Error).message}`);
  }
}

export async function importOpenApi(text: string, opts: ImportOptions = {}): Promise<ImportResult> {
  const described = readDescription(text);
  const { targetUrl, basePath } = serverOf(described, opts);
  const doc = await dereferenced(described);
  const secrets = new Set<string>();
  const leftOut: string[] = [];
  const byTag = new Map<string, DraftRequest[]>();
  let unchecked = 0;
  let operations = 0;
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      operations++;
      const parameters = parametersOf(item, op);
      const value = (p: Parameter) => asText(exampleOfMedia(p));
      let url =
        basePath +
        path.replace(/\{([^}]+)\}/g, (whole, name: string) => {
          const p = parameters.find((x) => x.in === "path" && x.name === name);
          return p ? encodeURIComponent(value(p)) : whole;
        });
      const security = securityOf(op, doc, secrets);
      const query = [
        ...parameters.filter((p) => p.in === "query" && p.required).map((p): [string, string] => [p.name, value(p)]),
        ...security.query,
      ];
      if (query.length > 0)
        url += `?${query.map(([k, v]) => `${encodeURIComponent(k)}=${v.startsWith("{{") ? v : encodeURIComponent(v)}`).join("&")}`;
      const headers: Record<string, string> = { ...security.headers };
      for (const p of parameters)
        if (p.in === "header" && p.required && !OWN_HEADERS.has(p.name.toLowerCase())) headers[p.name.toLowerCase()] = value(p);
      const step: DraftRequest = { type: "request", name: (op.operationId ?? path).slice(0, 200), method: method.toUpperCase(), url };
      if (Object.keys(headers).length > 0) step.headers = headers;
      const { body, leftOut: unsupported } = bodyOf(op);
      if (body) step.body = body;
      if (unsupported) leftOut.push(`the ${unsupported} body of ${op.operationId ?? `${method.toUpperCase()} ${path}`}`);
      const statuses = successStatuses(op);
      if (statuses.length > 0) step.checks = [{ type: "status", in: statuses }];
      else unchecked++;
      const tag = op.tags?.[0] ?? "untagged";
      byTag.set(tag, [...(byTag.get(tag) ?? []), step]);
    }
  }
  if (operations === 0) throw new ImportError("the description has no operation");

  const scenarios: DraftScenario[] = [];
  const names = new Set<string>();
  let dropped = 0;
  for (const [tag, steps] of byTag)
    for (let i = 0; i < steps.length; i += MAX_STEPS) {
      const chunk = steps.slice(i, i + MAX_STEPS);
      if (scenarios.length === MAX_SCENARIOS) dropped += chunk.length;
      else scenarios.push({ name: uniqueName(tag.trim().slice(0, 190) || "untagged", names), executor: smokeExecutor(), steps: chunk });
    }
  if (dropped > 0) leftOut.push(`${counted(dropped, "operation")} beyond ${MAX_SCENARIOS} scenarios`);
  if (unchecked > 0) leftOut.push(`a status check for ${counted(unchecked, "operation")} documenting no 2xx response`);
  leftOut.push("optional parameters (only the required ones are sent), and the responses' schemas (only their statuses are checked)");
  const title = doc.info?.title ?? "API";
  return {
    test: { name: (opts.name ?? `${title} smoke`).trim().slice(0, 200) || "API smoke", targetUrl, scenarios },
    notes: {
      source: `the OpenAPI ${doc.openapi} description "${title}"${doc.info?.version ? ` ${doc.info.version}` : ""}`,
      imported: [
        `${counted(operations, "operation")} as a smoke test: a scenario per tag, a step per operation sending an example request and checking its documented 2xx status`,
        "examples: the description's own (example, examples), else made from the schemas (required properties, first enum value, formats)",
      ],
      leftOut,
      secrets: [...secrets].sort(),
    },
  };
}
