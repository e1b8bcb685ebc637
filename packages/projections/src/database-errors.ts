import { storableText } from "./storable.ts";

/**
 * Which failures of a batch are its data's, and which the database's. A data error fails the
 * same message the same way every time, so retrying it would stall the projection for ever: the
 * projector finds the message at fault and dead-letters it. Anything else (a lost connection, a
 * serialisation failure or deadlock, a server shutting down or out of resources, and errors we
 * cannot name) is retried, never skipped: wrongly retried, a projection stalls visibly (readyz,
 * /v1/projections); wrongly dead-lettered, a good event would be missing from the read model.
 */

/**
 * SQLSTATE classes that say the data is at fault: 21 cardinality violation, 22 data exception
 * (a NUL, bad JSON, a number out of range), 23 integrity constraint violation, 54 program limit
 * exceeded (nesting past the stack, an index row too large).
 */
const DATA_CLASSES: ReadonlySet<string> = new Set(["21", "22", "23", "54"]);

/** A server error, from postgres.js (PostgresError) or PGlite (DatabaseError): both carry the SQLSTATE and a severity. */
type ServerError = Error & { code: string; severity: string; detail?: string };

const isServerError = (err: unknown): err is ServerError =>
  err instanceof Error &&
  typeof (err as Partial<ServerError>).code === "string" &&
  /^[0-9A-Z]{5}$/.test((err as ServerError).code) &&
  typeof (err as Partial<ServerError>).severity === "string";

/** The server's error behind a failure: drizzle wraps it (DrizzleQueryError, with the whole statement and its parameters) as `cause`. */
export function serverErrorOf(err: unknown): ServerError | null {
  for (let e: unknown = err, hops = 0; e && hops < 5; e = (e as { cause?: unknown }).cause, hops++) {
    if (isServerError(e)) return e;
  }
  return null;
}

/** The failure is the data's (see DATA_CLASSES): the same message fails again, however often it is tried. */
export function isDataError(err: unknown): boolean {
  const server = serverErrorOf(err);
  return server !== null && DATA_CLASSES.has(server.code.slice(0, 2));
}

const MAX_MESSAGE = 500;

/**
 * The failure in a few words, for a dead letter's reason, a status and a log: the server's
 * SQLSTATE, message and detail; not drizzle's message, which holds the statement and its
 * parameters (a batch's JSON, megabytes of it).
 */
export function describeError(err: unknown, { detail = true } = {}): { code: string | null; message: string } {
  const server = serverErrorOf(err);
  const inner = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const message = server
    ? server.message + (detail && server.detail ? ` (${server.detail})` : "")
    : inner instanceof Error
      ? `${inner.name}: ${inner.message}`
      : String(inner);
  const short = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
  return { code: server?.code ?? null, message: storableText(short) };
}

/**
 * `22P05 unsupported Unicode escape sequence (...)`: what a dead letter keeps as its reason. The
 * server's detail may quote the row (`Failing row contains (...)`), a tenant's data: it is left
 * out (`detail: false`) of what every caller sees, the status and /readyz.
 */
export function reasonOf(err: unknown, { detail = true } = {}): string {
  const { code, message } = describeError(err, { detail });
  return code ? `${code} ${message}` : message;
}

/** What to log of a failure: the server's error in a few fields rather than drizzle's wrapper of it, or PGlite's, which hold the parameters. */
export function loggable(err: unknown): unknown {
  const server = serverErrorOf(err);
  return server ? { type: server.name, code: server.code, message: server.message, detail: server.detail } : err;
}
