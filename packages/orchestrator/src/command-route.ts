import { type CommandEnvelope, type CommandInit, type CommandType, createCommand, DomainError, type ReadModel } from "@loadline/core";
import { type CommandBus, CommandTimeoutError } from "@loadline/nats";
import { actorOf, HttpError, httpErrorOf } from "@loadline/service";
import type { Context } from "hono";
import { checkWire } from "./wire-check.ts";

export type CommandRouteDeps = {
  /** Sends the commands; its server's max payload bounds what a write may carry. */
  bus: Pick<CommandBus, "send" | "maxPayload">;
  readModel: ReadModel;
  /** How long a write waits for its events to be projected before it answers 202. */
  projectionWaitMs?: number;
};

/**
 * Sends a command made of `input` (the body as sent, null for none) as the caller's credential,
 * and waits for its outcome, then (read-your-writes) for the projection to apply its events:
 * the version it reached, or the 202 to answer when either takes too long.
 */
export async function executeCommand<T extends CommandType>(
  c: Context,
  deps: CommandRouteDeps,
  init: Omit<CommandInit<T>, "actor">,
  input: unknown = null,
): Promise<{ version: number } | Response> {
  const command = createCommand({ ...init, actor: actorOf(c) } as CommandInit<T>) as CommandEnvelope;
  checkWire(command, input, deps.bus.maxPayload());
  try {
    const outcome = await deps.bus.send(command);
    if (!outcome.ok) {
      // The resource the path names is what was not found.
      const field = outcome.error.field ?? (outcome.error.code === "not_found" ? "id" : undefined);
      throw httpErrorOf(new DomainError(outcome.error.code, outcome.error.message, field));
    }
    c.header("X-Event-Seq", String(outcome.seq));
    if (!(await deps.readModel.waitForEvents(outcome.seq, deps.projectionWaitMs ?? 5_000))) {
      return c.json({ id: init.aggregate.id, commandId: command.id, status: "accepted", seq: outcome.seq }, 202);
    }
    return { version: outcome.version };
  } catch (err) {
    if (err instanceof CommandTimeoutError) {
      return c.json({ id: init.aggregate.id, commandId: command.id, status: "accepted" }, 202);
    }
    throw err;
  }
}

/** A 404 for a resource the caller's tenant does not have (never a 403: another tenant's ids are not confirmed). */
export const notFound = (what: string, field = "id"): HttpError => new HttpError(404, "not_found", `${what} not found`, field);

/**
 * If-Match carries the version the client last saw: `"3"`, `W/"3"` or `3`. A version past
 * Number.MAX_SAFE_INTEGER is no version (and the command's schema would refuse it).
 */
export function expectedVersion(c: Context): number | undefined {
  const header = c.req.header("if-match");
  if (header === undefined || header.trim() === "*") return undefined;
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  const version = match ? Number(match[1]) : Number.NaN;
  if (!Number.isSafeInteger(version)) throw new HttpError(400, "invalid_request", 'If-Match must be a version such as "3"', "If-Match");
  return version;
}
