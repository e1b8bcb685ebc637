import { type CommandEnvelope, parseCommand, SchemaError } from "@loadline/core";
import { HttpError } from "@loadline/service";

/**
 * Room kept under the server's max payload for what wraps a command's data on the way to its
 * event: the event envelope (causation id, time, actor) and the message headers (message id,
 * expected sequence). The data itself goes over whole: load-test.created and run.created carry
 * the spec (run.created its target: scenarios, requests, workload) as the command did.
 */
export const ENVELOPE_HEADROOM = 8 * 1024;

const byteLength = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? "");

/**
 * The part of a JSON value that holds most of its bytes, as a path: it goes down into the
 * largest child while that child holds at least a quarter of its parent, so two large bodies
 * name the larger body, and ten thousand small steps name their list, not one of them.
 */
export function largestPart(value: unknown): { path: (string | number)[]; bytes: number } {
  const path: (string | number)[] = [];
  let bytes = byteLength(value);
  for (let at = value; at !== null && typeof at === "object"; ) {
    const children: [string | number, unknown][] = Array.isArray(at) ? at.map((v, i) => [i, v]) : Object.entries(at);
    let best: { key: string | number; value: unknown; bytes: number } | null = null;
    for (const [key, child] of children) {
      const size = byteLength(child);
      if (!best || size > best.bytes) best = { key, value: child, bytes: size };
    }
    if (!best || best.bytes * 4 < bytes) break;
    path.push(best.key);
    bytes = best.bytes;
    at = best.value;
  }
  return { path, bytes };
}

/** A field of a command's data as the client named it (the body is the spec; the version is If-Match). */
function clientField(field: string | undefined): string | undefined {
  if (field === undefined) return undefined;
  if (field === "expectedVersion") return "If-Match";
  return field
    .replace(/^(spec|overrides)\./, "")
    .replace(/^placement\.selector/, "workerSelector")
    .replace(/^placement\.workers/, "workers");
}

/**
 * What a command must pass before it is sent: the orchestrator reads it back with the same
 * parser (so a command the API accepted can never be dropped as unreadable, its sender left
 * waiting for a 202), and it fits in a NATS message with room for its event's envelope (else
 * the publish, or the event's append, would fail). `input` is the body as the client sent it,
 * which a 413 names the largest part of.
 */
export function checkWire(command: CommandEnvelope, input: unknown, maxPayload: number): void {
  const wire = JSON.stringify(command);
  try {
    parseCommand(JSON.parse(wire));
  } catch (err) {
    if (!(err instanceof SchemaError)) throw err;
    throw new HttpError(400, "invalid_request", `the orchestrator could not read this command: ${err.message}`, clientField(err.field));
  }
  const bytes = Buffer.byteLength(wire);
  const limit = maxPayload - ENVELOPE_HEADROOM;
  if (bytes <= limit) return;
  const part = largestPart(input);
  const field = part.path.join(".") || "body";
  throw new HttpError(
    413,
    "payload_too_large",
    `${field}: this request encodes to ${bytes} bytes, over the ${limit} a message may carry here ` +
      `(NATS max_payload ${maxPayload} less ${ENVELOPE_HEADROOM} for the envelope); ${field} is ${part.bytes} bytes of it`,
    field,
  );
}
