import { z } from "zod";
import { stepGroupSchema, stepTagsSchema } from "./field-schemas.ts";
import { type GrpcStep, grpcStepRowNames } from "./grpc.ts";
import { tlsOptionsSchema } from "./http-options.ts";
import { type MessageCheck, type MessageExtract, messageCheckSchema, messageExtractSchema } from "./message-schemas.ts";
import { jsonStrings } from "./template.ts";

/**
 * The streaming steps: a WebSocket conversation (`ws`) and a Server-Sent Events stream (`sse`).
 * Their url is a request step's (a path on the target or an http(s) URL; a WebSocket connects
 * to the same origin as ws: or wss:), so the target policy and the url rules apply unchanged.
 */

export { type MessageCheck, type MessageExtract, messageCheckSchema, messageExtractSchema } from "./message-schemas.ts";

const stepName = z.string().min(1).max(200);
const stepUrl = z.string().min(1).max(4096);
const waitMs = z.number().int().positive().max(600_000);

const wsSendSchema = z
  .object({ type: z.literal("send"), text: z.string().max(1_048_576).optional(), json: z.unknown().optional() })
  .strict()
  .superRefine((send, ctx) => {
    if ((send.text === undefined) === (send.json === undefined))
      ctx.addIssue({ code: "custom", path: ["text"], message: "a send has text or json, not both" });
  });

/**
 * Waits for the first message that passes every check (others are skipped), within `timeoutMs`
 * of the wait's start; its latency runs from the step's last send, else from the open.
 */
const wsExpectSchema = z
  .object({
    type: z.literal("expect"),
    /** Its row of stats: `WS expect <name>`; the step's name by default. */
    name: stepName.optional(),
    timeoutMs: waitMs,
    checks: z.array(messageCheckSchema).max(50).default([]),
    extract: z.array(messageExtractSchema).max(50).default([]),
  })
  .strict();

/** Holds the connection open (messages still counted), pinging every `pingEveryMs` if set. */
const wsHoldSchema = z
  .object({ type: z.literal("hold"), ms: z.number().int().nonnegative().max(3_600_000), pingEveryMs: waitMs.optional() })
  .strict();

export const wsActionSchema = z.discriminatedUnion(
  "type",
  [wsSendSchema, wsExpectSchema, wsHoldSchema, z.object({ type: z.literal("close") }).strict()],
  { error: (issue) => (issue.code === "invalid_union" ? "an action's type must be send, expect, hold or close" : undefined) },
);
export type WsAction = z.infer<typeof wsActionSchema>;

/** One WebSocket connection, its actions in order; it is closed at the end of the step (or at `close`). */
export const wsStepSchema = z
  .object({
    type: z.literal("ws"),
    /** Rows `WS connect <name>` and `WS expect <name>`; the url as written by default. */
    name: stepName.optional(),
    url: stepUrl,
    headers: z.record(z.string(), z.string()).optional(),
    protocols: z.array(z.string().min(1).max(200)).max(20).optional(),
    connectTimeoutMs: waitMs.default(10_000),
    /** A wss connection's certificate trust (`ca`, `insecureSkipVerify`), as a request's `http.tls`; else the test's. */
    tls: tlsOptionsSchema.optional(),
    actions: z.array(wsActionSchema).min(1).max(200),
    group: stepGroupSchema.optional(),
    tags: stepTagsSchema.optional(),
  })
  .strict();
export type WsStep = z.infer<typeof wsStepSchema>;

/**
 * A GET read as an event stream until `count` events arrived (else a timeout failure at
 * `timeoutMs`) or, without a count, for `durationMs`. Each event's data must pass `checks`;
 * `extract` reads the last event.
 */
export const sseStepSchema = z
  .object({
    type: z.literal("sse"),
    /** Rows `SSE first <name>` (time to the first event) and `SSE next <name>` (time between events). */
    name: stepName.optional(),
    url: stepUrl,
    headers: z.record(z.string(), z.string()).optional(),
    count: z.number().int().positive().max(1_000_000).optional(),
    timeoutMs: waitMs.optional(),
    durationMs: z.number().int().positive().max(3_600_000).optional(),
    checks: z.array(messageCheckSchema).max(50).default([]),
    extract: z.array(messageExtractSchema).max(50).default([]),
    /** An https stream's certificate trust, as a request's `http.tls`; else the test's. */
    tls: tlsOptionsSchema.optional(),
    group: stepGroupSchema.optional(),
    tags: stepTagsSchema.optional(),
  })
  .strict()
  .superRefine((step, ctx) => {
    if (step.count !== undefined && step.timeoutMs === undefined)
      ctx.addIssue({ code: "custom", path: ["timeoutMs"], message: "a count of events needs a timeoutMs to wait for them" });
    if (step.count === undefined && step.durationMs === undefined)
      ctx.addIssue({ code: "custom", path: ["count"], message: "an sse step needs a count of events or a durationMs" });
  });
export type SseStep = z.infer<typeof sseStepSchema>;

export type StreamStep = WsStep | SseStep;

/**
 * The templated strings of a streaming step, with the field each sits in, in the order they
 * render: `onExtracted` hears each expect's variables before the sends after it (a ws step may
 * send what it extracted earlier in the same conversation).
 */
export function* streamStepTemplatedFields(
  step: StreamStep,
  onExtracted?: (variable: string) => void,
): Generator<{ field: (string | number)[]; text: string }> {
  yield { field: ["url"], text: step.url };
  for (const [k, v] of Object.entries(step.headers ?? {})) yield { field: ["headers", k], text: v };
  if (step.type === "sse") return;
  for (const [i, action] of step.actions.entries()) {
    if (action.type === "expect") for (const e of action.extract) onExtracted?.(e.var);
    if (action.type !== "send") continue;
    if (action.text !== undefined) yield { field: ["actions", i, "text"], text: action.text };
    else for (const s of jsonStrings(action.json)) yield { field: ["actions", i, "json", ...s.path], text: s.text };
  }
}

/** The extractions of a streaming step, in order, with the field each sits in. */
export function streamStepExtractions(step: StreamStep): { field: (string | number)[]; extract: MessageExtract }[] {
  if (step.type === "sse") return step.extract.map((extract, k) => ({ field: ["extract", k], extract }));
  return step.actions.flatMap((a, i) =>
    a.type === "expect" ? a.extract.map((extract, k) => ({ field: ["actions", i, "extract", k], extract })) : [],
  );
}

/** The checks of a streaming step, with the field each sits in. */
export function streamStepChecks(step: StreamStep): { field: (string | number)[]; check: MessageCheck }[] {
  if (step.type === "sse") return step.checks.map((check, k) => ({ field: ["checks", k], check }));
  return step.actions.flatMap((a, i) =>
    a.type === "expect" ? a.checks.map((check, k) => ({ field: ["actions", i, "checks", k], check })) : [],
  );
}

/** The request names of a streaming step's rows in the metric windows, from the step's name (else its url) or an expect's. */
export const STREAM_ROW_NAMES = {
  wsConnect: (step: string): string => `WS connect ${step}`,
  wsExpect: (expect: string): string => `WS expect ${expect}`,
  sseFirst: (step: string): string => `SSE first ${step}`,
  sseNext: (step: string): string => `SSE next ${step}`,
} as const;

/** Every row name a streaming (or grpc) step reports under. */
export function streamStepRowNames(step: StreamStep | GrpcStep): string[] {
  if (step.type === "grpc") return grpcStepRowNames(step);
  const name = step.name ?? step.url;
  if (step.type === "sse") return [STREAM_ROW_NAMES.sseFirst(name), STREAM_ROW_NAMES.sseNext(name)];
  const expects = step.actions.flatMap((a) => (a.type === "expect" ? [STREAM_ROW_NAMES.wsExpect(a.name ?? name)] : []));
  return [STREAM_ROW_NAMES.wsConnect(name), ...expects];
}

/** The variables a streaming step extracts (known to the steps after it). */
export const streamStepExtractedVariables = (step: StreamStep): string[] => streamStepExtractions(step).map((e) => e.extract.var);
