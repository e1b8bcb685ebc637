import { createRequire } from "node:module";
import type { Item, ItemGroup } from "postman-collection";
import {
  counted,
  type DraftBody,
  type DraftRequest,
  ImportError,
  type ImportOptions,
  type ImportResult,
  listed,
  MAX_STEPS,
  parseJsonOrUndefined,
  secretName,
  smokeExecutor,
  variableName,
} from "./draft.ts";
import { credentialsAsSecrets, keptHeaders } from "./headers.ts";
import { contentTypeImplied, draftBody } from "./request-body.ts";

// A CommonJS package whose named exports Node's ESM loader cannot see: required, typed by its own declarations.
const { Collection } = createRequire(import.meta.url)("postman-collection") as typeof import("postman-collection");

/**
 * A Postman collection (v2.0 or v2.1) as a load test: one scenario whose steps are the
 * collection's requests in the order the Collection Runner sends them (folders flattened, depth
 * first), since a collection is usually a flow (sign in, then use the session). Its variables
 * become scenario variables, the one holding the base URL the targetUrl; auth (bearer, basic,
 * API key), inherited from folders as Postman does, becomes headers; variables that look like
 * credentials become tenant secrets. Scripts are not run, so what they set is not known.
 */

/** Variable names that hold credentials: sent as `{{secrets.NAME}}`, never written in the file. */
const SECRET_LIKE = /token|secret|passw(or)?d|pwd|api[-_]?key|credential|auth/i;
/** Postman's dynamic variables that have a Loadline twin; the others are not rendered. */
const DYNAMIC: Record<string, string> = { $guid: "__uuid", $randomUUID: "__uuid", $timestamp: "__timestamp" };
/** What is read of the SDK beyond its declarations (which leave these out). */
type Auth = { type?: string; parameters(): { toObject(): Record<string, unknown> } | undefined };
type Walkable = { forEachItem(cb: (item: Item) => void): void; forEachItemGroup(cb: (group: ItemGroup) => void): void };

const POSTMAN_VARIABLE = /\{\{\s*([^{}]+?)\s*\}\}/g;

type Templates = {
  collectionVariables: ReadonlyMap<string, string>;
  used: Map<string, string>;
  secrets: Set<string>;
  unsupported: Set<string>;
};

/** Postman `{{name}}`s as Loadline templates: secrets, built-ins, or (sanitized) scenario variables. */
function rewrite(text: string, t: Templates): string {
  return text.replace(POSTMAN_VARIABLE, (whole, name: string) => {
    // Already Loadline's (the auth headers made here): kept.
    if (name.startsWith("secrets.") || name.startsWith("__")) return whole;
    if (name.startsWith("$")) {
      const builtin = DYNAMIC[name];
      if (builtin) return `{{${builtin}}}`;
      t.unsupported.add(name);
      return "{{__uuid}}";
    }
    if (SECRET_LIKE.test(name)) {
      const secret = secretName(name);
      t.secrets.add(secret);
      return `{{secrets.${secret}}}`;
    }
    const variable = variableName(name);
    t.used.set(name, variable);
    return `{{${variable}}}`;
  });
}

/** The base URL: the variable holding an http(s) URL that most request URLs start with. */
function baseUrlVariable(urls: readonly string[], variables: ReadonlyMap<string, string>): string | undefined {
  const counts = new Map<string, number>();
  for (const url of urls) {
    const name = /^\{\{\s*([^{}]+?)\s*\}\}/.exec(url)?.[1];
    if (name && /^https?:\/\//i.test(variables.get(name) ?? "")) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** Auth as headers (and a query parameter for an API key sent in the query). */
function authHeaders(auth: Auth | undefined, query: URLSearchParams): Record<string, string> {
  if (!auth) return {};
  const p = (auth.parameters()?.toObject() ?? {}) as Record<string, string | undefined>;
  switch (auth.type) {
    case "bearer":
      return p.token ? { authorization: `Bearer ${p.token}` } : {};
    case "basic":
      // Postman encodes username:password when it sends; the file cannot (they may be variables): a secret holds the encoded pair.
      return { authorization: "Basic {{secrets.BASIC_AUTH}}" };
    case "apikey":
      if (!p.key) return {};
      if (p.in === "query") query.set(p.key, "{{secrets.API_KEY}}");
      return p.in === "query" ? {} : { [p.key.toLowerCase()]: p.value ?? "" };
    default:
      return {};
  }
}

/** The item's body as a step's, or why it is left out. */
function bodyOf(item: Item, contentType: string | undefined, t: Templates): DraftBody | { leftOut: string } | undefined {
  const body = item.request.body;
  if (!body?.mode) return undefined;
  switch (body.mode) {
    case "raw": {
      if (!body.raw) return undefined;
      const language = (body.options as { raw?: { language?: string } } | undefined)?.raw?.language;
      return draftBody(contentType ?? (language === "json" ? "application/json" : ""), rewrite(body.raw, t));
    }
    case "urlencoded": {
      const fields = (body.urlencoded?.all() ?? []) as { key: string; value?: string; disabled?: boolean }[];
      return { form: Object.fromEntries(fields.filter((f) => !f.disabled).map((f) => [f.key, rewrite(f.value ?? "", t)])) };
    }
    case "graphql": {
      const g = (body as unknown as { graphql?: { query?: string; variables?: string } }).graphql ?? {};
      return { json: { query: rewrite(g.query ?? "", t), variables: parseJsonOrUndefined(g.variables) ?? {} } };
    }
    default:
      return { leftOut: `the ${body.mode} body of "${item.name}" (files are not sent by a load test)` };
  }
}

/** The folders an item is in, outermost first (not the collection itself). */
function foldersOf(item: Item): string[] {
  const names: string[] = [];
  let parent = item.parent() as ItemGroup | undefined;
  while (parent && typeof parent.parent === "function" && parent.parent()) {
    names.unshift(parent.name);
    parent = parent.parent() as ItemGroup | undefined;
  }
  return names;
}

const hasScript = (events: { all(): { script?: { exec?: string[] } }[] } | undefined) =>
  (events?.all() ?? []).some((e) => (e.script?.exec ?? []).some((line) => line.trim() !== ""));

export function importPostman(text: string, opts: ImportOptions = {}): ImportResult {
  const json = parseJsonOrUndefined(text) as { info?: { schema?: string; name?: string } } | undefined;
  const schema = json?.info?.schema ?? "";
  if (!/collection\/v2\.[01]\.\d/.test(schema))
    throw new ImportError("not a Postman collection v2.0 or v2.1 (export it from Postman as Collection v2.1)");
  const collection = new Collection(json as never);
  const collectionVariables = new Map<string, string>(
    (collection.variables.all() as { key: string; value: unknown }[]).map((v) => [v.key, v.value == null ? "" : String(v.value)]),
  );
  const t: Templates = { collectionVariables, used: new Map(), secrets: new Set(), unsupported: new Set() };
  const leftOut: string[] = [];
  let scripts = hasScript(collection.events) ? 1 : 0;

  const items: Item[] = [];
  const walkable = collection as unknown as Walkable;
  walkable.forEachItem((item) => void items.push(item));
  walkable.forEachItemGroup((group) => {
    if (hasScript((group as unknown as { events?: Parameters<typeof hasScript>[0] }).events)) scripts++;
  });
  const rawUrls = items.map((item) => item.request.url.toString());
  const base = baseUrlVariable(rawUrls, collectionVariables);
  const baseValue = base ? new URL(collectionVariables.get(base)!) : undefined;
  const targetUrl = (opts.targetUrl ?? baseValue?.origin ?? firstOrigin(rawUrls) ?? "").replace(/\/+$/, "");
  if (!targetUrl) throw new ImportError("no request URL names a host, and no --target-url was given");
  const basePath = baseValue ? baseValue.pathname.replace(/\/+$/, "") : "";
  const targetOrigin = new URL(targetUrl).origin;

  const steps: DraftRequest[] = [];
  for (const [i, item] of items.entries()) {
    if (hasScript(item.events)) scripts++;
    if (steps.length === MAX_STEPS) {
      leftOut.push(`the last ${items.length - i} requests: a scenario holds at most ${MAX_STEPS} steps`);
      break;
    }
    let url = rawUrls[i]!;
    if (base && url.replace(/\s/g, "").startsWith(`{{${base}}}`)) url = basePath + url.slice(url.indexOf("}}") + 2);
    else if (/^https?:\/\//i.test(url) && new URL(url).origin === targetOrigin) url = url.slice(targetOrigin.length);
    else if (!/^(https?:\/\/|\/|\{\{)/i.test(url)) url = `http://${url}`;
    if (!url.startsWith("/") && !/^(https?:\/\/|\{\{)/i.test(url)) url = `/${url}`;
    if (url === "") url = "/";

    const headers = keptHeaders(
      (item.request.headers.all() as { key: string; value: string; disabled?: boolean }[])
        .filter((h) => !h.disabled)
        .map((h) => ({ name: h.key, value: h.value })),
    );
    const authQuery = new URLSearchParams();
    const auth = authHeaders(item.getAuth() as unknown as Auth | undefined, authQuery);
    if (auth.authorization?.includes("secrets.BASIC_AUTH")) t.secrets.add("BASIC_AUTH");
    if (authQuery.size > 0) {
      t.secrets.add("API_KEY");
      url += `${url.includes("?") ? "&" : "?"}${[...authQuery].map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join("&")}`;
    }
    const rendered = Object.fromEntries(Object.entries({ ...headers, ...auth }).map(([k, v]) => [k, rewrite(v, t)]));
    const body = bodyOf(item, rendered["content-type"], t);
    const step: DraftRequest = {
      type: "request",
      name: item.name.slice(0, 200) || "request",
      method: item.request.method.toUpperCase(),
      url: rewrite(url, t),
    };
    if (body && "leftOut" in body) leftOut.push(body.leftOut);
    const sentBody = body && !("leftOut" in body) ? body : undefined;
    if (contentTypeImplied(sentBody, rendered["content-type"])) delete rendered["content-type"];
    const sent = credentialsAsSecrets(rendered, t.secrets);
    if (Object.keys(sent).length > 0) step.headers = sent;
    if (sentBody) step.body = sentBody;
    const code = (item.responses.all() as { code?: number }[]).find((r) => typeof r.code === "number")?.code;
    if (code !== undefined && code >= 100 && code <= 599) step.checks = [{ type: "status", in: [code] }];
    const folders = foldersOf(item);
    if (folders.length > 0) step.name = `${folders.join(" / ")} / ${step.name}`.slice(0, 200);
    steps.push(step);
  }
  if (steps.length === 0) throw new ImportError("the collection holds no request");

  const variables: Record<string, string> = {};
  const unset: string[] = [];
  for (const [name, variable] of t.used) {
    const value = collectionVariables.get(name);
    if (value === undefined) unset.push(variable);
    variables[variable] = value ?? "";
  }
  if (scripts > 0)
    leftOut.push(
      `${counted(scripts, "pre-request or test script")} (pm.test, pm.environment.set...): they are not run; a value a script set is a variable to fill in, or an extract to add to the step whose response holds it`,
    );
  if (t.unsupported.size > 0) leftOut.push(`dynamic variables with no twin here, sent as {{__uuid}}: ${listed([...t.unsupported])}`);
  if (unset.length > 0) leftOut.push(`values of ${listed(unset)}: not collection variables (an environment's or a script's), left empty`);
  const name = (opts.name ?? collection.name).trim().slice(0, 200) || "postman collection";
  return {
    test: {
      name,
      targetUrl,
      scenarios: [{ name, executor: smokeExecutor(), ...(Object.keys(variables).length > 0 ? { variables } : {}), steps }],
    },
    notes: {
      source: `the Postman collection "${collection.name}"`,
      imported: [
        `${counted(steps.length, "request")}, in the Collection Runner's order${base ? `; {{${base}}} is the targetUrl${opts.targetUrl ? ` (given: ${targetUrl})` : ""}` : ""}`,
        `${counted(Object.keys(variables).length, "collection variable")} as scenario variables; folder and collection auth inherited as Postman does`,
      ],
      leftOut,
      secrets: [...t.secrets].sort().map((s) => (s === "BASIC_AUTH" ? "BASIC_AUTH (base64 of username:password)" : s)),
    },
  };
}

function firstOrigin(urls: readonly string[]): string | undefined {
  for (const url of urls)
    if (/^https?:\/\//i.test(url))
      try {
        return new URL(url).origin;
      } catch {}
  return undefined;
}
