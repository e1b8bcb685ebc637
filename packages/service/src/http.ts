import { DEFAULT_TENANT, DomainError, type DomainErrorCode, firstIssue } from "@loadline/core";
import type { Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import type { Logger } from "./log.ts";

/** The JSON body of every error answer: a code, a sentence, and the field at fault when there is one. */
export type ErrorBody = { error: { code: string; message: string; field?: string } };

export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const STATUS_OF: Record<DomainErrorCode, ContentfulStatusCode> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
};

export const httpErrorOf = (e: DomainError): HttpError => new HttpError(STATUS_OF[e.code], e.code, e.message, e.field);

/** A 400 naming the first field a zod schema refused. */
export function validationError(error: z.ZodError, prefix?: string): HttpError {
  const { field, message } = firstIssue(error, prefix);
  return new HttpError(400, "invalid_request", message, field);
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(parsed.error, prefix);
  return parsed.data;
}

/** Reads a JSON body; invalid JSON is a 400 naming the body, never a 500. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new HttpError(400, "invalid_json", "request body is not valid JSON", "body");
  }
  return parseWith(schema, raw);
}

/** Ids and tenants are subject tokens: letters, digits, - and _. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The tenant of a request, from X-Tenant-Id (default `default`); a malformed one is a 400 naming the header. */
export function tenantOf(c: Context): string {
  const tenant = c.req.header("x-tenant-id") ?? DEFAULT_TENANT;
  if (!ID_PATTERN.test(tenant)) throw new HttpError(400, "invalid_request", "X-Tenant-Id must be letters, digits, - or _", "X-Tenant-Id");
  // "_"-names are the platform's own (the fleet's events live under one).
  if (tenant.startsWith("_")) throw new HttpError(400, "invalid_request", "X-Tenant-Id may not start with _", "X-Tenant-Id");
  return tenant;
}

/** The query string checked by `schema`; `lists` carries parameters that may repeat (from `c.req.queries`). */
export const query = <S extends z.ZodType>(c: Context, schema: S, lists: Record<string, string[] | undefined> = {}): z.infer<S> =>
  parseWith(schema, { ...c.req.query(), ...lists });

/** Turns thrown errors into JSON answers; only a real fault becomes a 500, and it is logged. */
export function installErrorHandler(app: Hono, log: Logger): void {
  app.onError((err, c) => {
    const e = err instanceof DomainError ? httpErrorOf(err) : err;
    if (e instanceof HttpError) {
      const body: ErrorBody = { error: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) } };
      return c.json(body, e.status);
    }
    if (e instanceof HTTPException) {
      return c.json({ error: { code: "http_error", message: e.message } } satisfies ErrorBody, e.status);
    }
    log.error({ err: e, path: c.req.path }, "request failed");
    return c.json({ error: { code: "internal", message: "internal error" } } satisfies ErrorBody, 500);
  });
  app.notFound((c) => c.json({ error: { code: "not_found", message: `no route ${c.req.method} ${c.req.path}` } } satisfies ErrorBody, 404));
}
