import { z } from "zod";
import { hasEnvPlaceholder } from "./env.ts";
import { stepGroupSchema, stepTagsSchema } from "./field-schemas.ts";
import { tlsOptionsSchema } from "./http-options.ts";
import { messageCheckSchema, messageExtractSchema } from "./message-schemas.ts";
import { jsonStrings } from "./template.ts";

/**
 * The grpc step: one unary or server-streaming call of a method of a `.proto` (inline text; the
 * CLI reads `protoFile` into it). Core checks the step's shape only: the worker compiles the
 * proto when it compiles the run, and a proto that does not compile, or lacks the service or
 * method, fails the run with the reason.
 */

/** gRPC status codes by name, as the gRPC spec numbers them. */
export const GRPC_STATUS = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;
export type GrpcStatusName = keyof typeof GRPC_STATUS;

const STATUS_NAMES = Object.keys(GRPC_STATUS) as [GrpcStatusName, ...GrpcStatusName[]];

const STATUS_ERROR = `a gRPC status is one of ${STATUS_NAMES.join(", ")}, or its number 0-16`;

/** A status as written: its name (any case) or its number; read as the number. */
const grpcStatusSchema = z.preprocess(
  (v) => (typeof v === "string" ? (GRPC_STATUS[v.toUpperCase() as GrpcStatusName] ?? v) : v),
  z.number({ error: STATUS_ERROR }).int(STATUS_ERROR).min(0, STATUS_ERROR).max(16, STATUS_ERROR),
);

/** Passes when the call's status is one of `in`; with it, a listed status other than OK is no failure. */
const grpcStatusCheckSchema = z.object({ type: z.literal("status"), in: z.array(grpcStatusSchema).min(1).max(17) }).strict();

/** The message checks (on each response message, as JSON) and a check on the call's status. */
export const grpcCheckSchema = z.discriminatedUnion("type", [grpcStatusCheckSchema, ...messageCheckSchema.options], {
  error: (issue) => (issue.code === "invalid_union" ? "a grpc check's type must be status, jsonPath, bodyContains or regex" : undefined),
});
export type GrpcCheck = z.infer<typeof grpcCheckSchema>;

/** `host:port`, `grpc://host:port` (plaintext HTTP/2) or `grpcs://host:port` (TLS); hosts in brackets for IPv6. */
const TARGET = /^(?:(grpcs?):\/\/)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})\/?$/i;

/** Where a grpc step's calls go, read from its `target`. */
export type GrpcAddress = { readonly host: string; readonly port: number; readonly tls: boolean };

/** The address a `target` names, or why it names none. */
export function parseGrpcTarget(target: string): GrpcAddress | { error: string } {
  const m = TARGET.exec(target.trim());
  const port = Number(m?.[3]);
  if (!m || port < 1 || port > 65_535)
    return { error: "must be host:port, grpc://host:port or grpcs://host:port (a port from 1 to 65535)" };
  return { host: m[2]!.toLowerCase(), port, tls: m[1]?.toLowerCase() === "grpcs" };
}

/**
 * The address of a grpc step: its `target`, else the host of the test's targetUrl with the
 * step's `port` (else the targetUrl's port), TLS when the targetUrl is https.
 */
export function grpcAddressOf(step: Pick<GrpcStep, "target" | "port">, targetUrl: string): GrpcAddress | { error: string } {
  if (step.target !== undefined) return parseGrpcTarget(step.target);
  let url: URL;
  try {
    url = new URL(targetUrl);
  } catch {
    return { error: "the test's targetUrl is no URL to take the grpc host from" };
  }
  const tls = url.protocol === "https:";
  const port = step.port ?? (url.port === "" ? (tls ? 443 : 80) : Number(url.port));
  return { host: url.hostname, port, tls };
}

/** The `http(s)://host:port` origin of an address: what the target policy judges (its host, as for HTTP). */
export const grpcOrigin = (a: GrpcAddress): string => `${a.tls ? "https" : "http"}://${a.host}:${a.port}`;

/** The one import an inline proto may make: the well-known types the loader carries (no file is read). */
const ALLOWED_IMPORT = /^google\/protobuf\/[a-z_]+\.proto$/;
const IMPORT = /\bimport\s+(?:public\s+|weak\s+)?["']([^"']*)["']/g;

/** Why a proto's imports cannot be loaded (only google/protobuf/*.proto: an inline proto reads no other file); null when they can. */
export function protoImportError(proto: string): string | null {
  for (const m of proto.matchAll(IMPORT))
    if (!ALLOWED_IMPORT.test(m[1]!)) return `imports ${m[1]}: an inline proto may import google/protobuf/*.proto only`;
  return null;
}

const identifier = (what: string) =>
  z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z_][\w.]*$/, `${what} is a proto name (letters, digits, _ and .)`);
const waitMs = z.number().int().positive().max(600_000);
/** gRPC's metadata keys, as HTTP/2 sends them (binary `-bin` keys hold base64 text here). */
const METADATA_KEY = /^[a-z0-9_.-]+$/;

/**
 * One gRPC call per iteration. `stream` says the method is server-streaming (the worker checks
 * it against the proto): its messages are read until `count` came (then the call is cancelled,
 * no failure), `durationMs` passed (likewise), or the server ends the stream; `deadlineMs`
 * bounds the whole call. Checks run on every response message; `extract` reads the last one.
 */
export const grpcStepSchema = z
  .object({
    type: z.literal("grpc"),
    /** Rows `gRPC <name>` (unary), or `gRPC first <name>` and `gRPC next <name>` (streaming); `service/method` by default. */
    name: z.string().min(1).max(200).optional(),
    /** `host:port`, `grpc://host:port` or `grpcs://host:port`; absent: the targetUrl's host, on `port`. */
    target: z.string().min(1).max(300).optional(),
    port: z.number().int().min(1).max(65_535).optional(),
    /** A grpcs target's certificate trust (`ca`, `insecureSkipVerify`), as a request's `http.tls`; else the test's `http.tls`. */
    tls: tlsOptionsSchema.optional(),
    /** The `.proto` file's text (proto3 or proto2), with at most google/protobuf/* imports. */
    proto: z.string().min(1).max(1_048_576),
    /** Fully qualified: `package.Service`. */
    service: identifier("service"),
    method: identifier("method"),
    /** The request message as JSON (protobuf's JSON mapping); its strings take `{{variables}}`. */
    message: z.record(z.string(), z.unknown()).default({}),
    /** Request metadata (lower-case keys, as gRPC sends them); values take `{{variables}}` and `{{secrets.NAME}}`. */
    metadata: z.record(z.string(), z.string()).optional(),
    deadlineMs: waitMs.default(10_000),
    stream: z
      .object({
        count: z.number().int().positive().max(1_000_000).optional(),
        durationMs: z.number().int().positive().max(3_600_000).optional(),
      })
      .strict()
      .optional(),
    checks: z.array(grpcCheckSchema).max(50).default([]),
    extract: z.array(messageExtractSchema).max(50).default([]),
    group: stepGroupSchema.optional(),
    tags: stepTagsSchema.optional(),
  })
  .strict()
  .superRefine((step, ctx) => {
    if (step.target !== undefined && step.port !== undefined)
      ctx.addIssue({ code: "custom", path: ["port"], message: "a grpc step has a target or a port (on the targetUrl's host), not both" });
    const target = step.target === undefined || hasEnvPlaceholder(step.target) ? null : parseGrpcTarget(step.target);
    if (target && "error" in target) ctx.addIssue({ code: "custom", path: ["target"], message: target.error });
    for (const key of Object.keys(step.metadata ?? {}))
      if (!METADATA_KEY.test(key))
        ctx.addIssue({ code: "custom", path: ["metadata", key], message: "a metadata key is lower-case letters, digits, _ . or -" });
    const imports = protoImportError(step.proto);
    if (imports) ctx.addIssue({ code: "custom", path: ["proto"], message: imports });
    const statusChecks = step.checks.flatMap((c, k) => (c.type === "status" ? [k] : []));
    if (statusChecks.length > 1)
      ctx.addIssue({ code: "custom", path: ["checks", statusChecks[1]!], message: "a grpc step has at most one status check" });
    if (step.stream && statusChecks.length > 0)
      ctx.addIssue({
        code: "custom",
        path: ["checks", statusChecks[0]!],
        message: "a status check is for unary calls: a stream's checks are on its messages",
      });
  });
export type GrpcStep = z.infer<typeof grpcStepSchema>;

/** The request names of a grpc step's rows in the metric windows. */
export const GRPC_ROW_NAMES = {
  unary: (step: string): string => `gRPC ${step}`,
  first: (step: string): string => `gRPC first ${step}`,
  next: (step: string): string => `gRPC next ${step}`,
} as const;

/** Every row name a grpc step reports under: one for a unary call, first and next for a stream. */
export function grpcStepRowNames(step: GrpcStep): string[] {
  const name = step.name ?? `${step.service}/${step.method}`;
  return step.stream ? [GRPC_ROW_NAMES.first(name), GRPC_ROW_NAMES.next(name)] : [GRPC_ROW_NAMES.unary(name)];
}

/** The templated strings of a grpc step, with the field each sits in. */
export function* grpcStepTemplatedFields(step: GrpcStep): Generator<{ field: (string | number)[]; text: string }> {
  for (const [k, v] of Object.entries(step.metadata ?? {})) yield { field: ["metadata", k], text: v };
  for (const s of jsonStrings(step.message)) yield { field: ["message", ...s.path], text: s.text };
}

/** The variables a grpc step extracts (known to the steps after it). */
export const grpcStepExtractedVariables = (step: GrpcStep): string[] => step.extract.map((e) => e.var);
