import "./auth/access-control.ts"; // the principal on the context
import { DomainError, type DomainErrorCode, firstIssue } from "@loadline/core";
import type { Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { badStringReason, fieldName, jsonInputIssue } from "./json-input.ts";
import type { Logger } from "./log.ts";
import { isJsonContentType } from "./media-type.ts";

/** The JSON body of every error answer: a code, a sentence, and the field at fault when there is one. */
export type ErrorBody = { error: { code: string; message: string; field?: string } };

export const errorBody = (code: string, message: string, field?: string): ErrorBody => ({
  error: { code, message, ...(field ? { field } : {}) },
});

export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** Headers the answer carries (Allow with a 405). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

const STATUS_OF: Record<DomainErrorCode, ContentfulStatusCode> = {
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
};

/** A domain refusal as an answer: `invalid` is the API's `invalid_request`, like every other 400 of bad input. */
export const httpErrorOf = (e: DomainError): HttpError =>
  new HttpError(STATUS_OF[e.code], e.code === "invalid" ? "invalid_request" : e.code, e.message, e.field);

/**
 * A 400 naming the first field a zod schema refused. An unknown key is named itself (the
 * client must drop it, not its parent), and an issue with the whole input names `root`
 * (`body`, `query`): every refusal names something the client sent.
 */
export function validationError(error: z.ZodError, prefix?: string, root = "body"): HttpError {
  const { field } = firstIssue(error, prefix);
  const issue = error.issues[0];
  const message = issue ? `${field ?? root}: ${issue.message}` : "invalid request";
  const unknownKey = issue?.code === "unrecognized_keys" ? issue.keys[0] : undefined;
  const named = unknownKey === undefined ? field : [field, fieldName(unknownKey)].filter(Boolean).join(".");
  return new HttpError(400, "invalid_request", message, named || root);
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, prefix?: string, root = "body"): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(parsed.error, prefix, root);
  return parsed.data;
}

/**
 * Reads a JSON body as it may be handed to a schema: sent as JSON (415 otherwise, so a browser
 * must preflight a cross-site write), valid JSON (400 naming the body), then checked as a whole
 * (see jsonInputIssue: no NUL or unpaired surrogate in any string or key, no nesting deeper than
 * MAX_JSON_DEPTH). The size is bounded before this, while the body is read (serviceApp).
 */
export async function readJson(c: Context): Promise<unknown> {
  const type = c.req.header("content-type");
  if (!isJsonContentType(type)) {
    const got = type === undefined ? "none" : `"${type}"`;
    throw new HttpError(415, "unsupported_media_type", `Content-Type must be application/json (got ${got})`, "Content-Type");
  }
  let text: string;
  try {
    text = await c.req.text();
  } catch (err) {
    // The client left (or the parser refused its bytes) before the body came whole: not a fault of ours to log as one.
    if ((err as { code?: string }).code === "ECONNRESET")
      throw new HttpError(400, "bad_request", "the request body did not arrive whole", "body");
    throw err; // a body over the limit: serviceApp answers it
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new HttpError(400, "invalid_json", "request body is not valid JSON", "body");
  }
  const issue = jsonInputIssue(raw);
  if (issue) throw new HttpError(400, "invalid_request", issue.message, issue.field);
  return raw;
}

/** A JSON body checked by readJson, then by `schema`: a 400 names the first field it refuses. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  return parseWith(schema, await readJson(c));
}

/** Ids and tenants are subject tokens: letters, digits, - and _. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The tenant a request acts in: its credential's (accessControl put the principal on the
 * context). Only the platform admin may name another with X-Tenant-Id; in dev mode the header
 * is the credential. A malformed tenant is a 400 naming the header.
 */
export function tenantOf(c: Context): string {
  const principal = c.get("principal");
  if (!principal) throw new Error(`tenantOf on ${c.req.path}, a route without access control`);
  const named = principal.platformAdmin ? c.req.header("x-tenant-id") : undefined;
  const tenant = named ?? principal.tenantId;
  if (!ID_PATTERN.test(tenant)) throw new HttpError(400, "invalid_request", "X-Tenant-Id must be letters, digits, - or _", "X-Tenant-Id");
  // "_"-names are the platform's own (the fleet's events live under one).
  if (tenant.startsWith("_")) throw new HttpError(400, "invalid_request", "X-Tenant-Id may not start with _", "X-Tenant-Id");
  return tenant;
}

/** Who a request is from, as its commands record it (`key:<id>`, `jwt:<sub>`, `bootstrap`). */
export function actorOf(c: Context): string {
  const principal = c.get("principal");
  if (!principal) throw new Error(`actorOf on ${c.req.path}, a route without access control`);
  return principal.actor;
}

/** An id in the path (`:id`) that cannot exist (it would not even be a subject token) is simply not found. */
export function idParam(c: Context, what: string): string {
  const id = c.req.param("id") ?? "";
  if (!ID_PATTERN.test(id)) throw new HttpError(404, "not_found", `${what} not found`, "id");
  return id;
}

/**
 * The query string checked by `schema`; `lists` carries parameters that may repeat (from
 * `c.req.queries`). Any parameter holding NUL or an unpaired surrogate is a 400 naming it,
 * whether the schema knows it or not: such text must never reach a query.
 */
export function query<S extends z.ZodType>(c: Context, schema: S, lists: Record<string, string[] | undefined> = {}): z.infer<S> {
  for (const [name, values] of Object.entries(c.req.queries())) {
    const reason = badStringReason(name) ?? values.map(badStringReason).find((r) => r !== null) ?? null;
    if (reason) throw new HttpError(400, "invalid_request", `${fieldName(name)}: a query parameter ${reason}`, fieldName(name));
  }
  return parseWith(schema, { ...c.req.query(), ...lists }, undefined, "query");
}

/** Turns thrown errors into JSON answers; only a real fault becomes a 500, and it is logged. */
export function installErrorHandler(app: Hono, log: Logger): void {
  app.onError((err, c) => {
    const e = err instanceof DomainError ? httpErrorOf(err) : err;
    if (e instanceof HttpError) return c.json(errorBody(e.code, e.message, e.field), e.status, e.headers);
    if (e instanceof HTTPException) return c.json(errorBody("http_error", e.message), e.status);
    log.error({ err: e, path: c.req.path }, "request failed");
    return c.json(errorBody("internal", "internal error"), 500);
  });
  app.notFound((c) => c.json(errorBody("not_found", `no route ${c.req.method} ${c.req.path}`, "path"), 404));
}
