import { parse as parseCsv } from "csv-parse/sync";
import { z } from "zod";
import { isEnvVariable } from "./env.ts";
import { executorSchema } from "./executors.ts";
import {
  bodyContainsCheckSchema,
  jsonPathCheckSchema,
  jsonPathExtractSchema,
  regexExtractSchema,
  regexSchema,
  stepGroupSchema,
  stepTagsSchema,
  variableName,
} from "./field-schemas.ts";
import { grpcStepExtractedVariables, grpcStepSchema, grpcStepTemplatedFields } from "./grpc.ts";
import { httpOptionsSchema } from "./http-options.ts";
import { sseStepSchema, streamStepExtractedVariables, streamStepTemplatedFields, wsStepSchema } from "./streams.ts";
import { BUILTIN_VARIABLES, isSecretVariable, isSetupVariable, jsonStrings, secretReferenceError, templateVariables } from "./template.ts";

const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;
export const methodSchema = z
  .string()
  .transform((m) => m.toUpperCase())
  .pipe(z.enum(HTTP_METHODS));

export const checkSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("status"), in: z.array(z.number().int().min(100).max(599)).min(1) }).strict(),
  jsonPathCheckSchema,
  bodyContainsCheckSchema,
  z.object({ type: z.literal("header"), name: z.string().min(1), matches: regexSchema }).strict(),
  z.object({ type: z.literal("latency"), belowMs: z.number().positive() }).strict(),
]);
export type Check = z.infer<typeof checkSchema>;

export const extractSchema = z.discriminatedUnion("type", [
  jsonPathExtractSchema,
  regexExtractSchema,
  z.object({ type: z.literal("header"), var: variableName, name: z.string().min(1) }).strict(),
]);
export type Extract = z.infer<typeof extractSchema>;

export const bodySchema = z.union([
  z.object({ json: z.unknown() }).strict(),
  z.object({ form: z.record(z.string(), z.string()) }).strict(),
  z.object({ raw: z.string().max(1_048_576), contentType: z.string().optional() }).strict(),
]);
export type Body = z.infer<typeof bodySchema>;

export const requestStepSchema = z
  .object({
    type: z.literal("request"),
    /** Groups dynamic URLs (`/items/{{id}}`) into one row of stats; defaults to the url as written. */
    name: z.string().min(1).max(200).optional(),
    method: methodSchema.default("GET"),
    /** A path on the test's targetUrl, or an absolute http(s) URL. */
    url: z.string().min(1).max(4096),
    query: z.record(z.string(), z.string()).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    body: bodySchema.optional(),
    timeoutMs: z.number().int().positive().max(600_000).default(60_000),
    /** This step's HTTP version and TLS options, over the test's `http` (http-options.ts). */
    http: httpOptionsSchema.optional(),
    checks: z.array(checkSchema).max(50).default([]),
    extract: z.array(extractSchema).max(50).default([]),
    group: stepGroupSchema.optional(),
    tags: stepTagsSchema.optional(),
  })
  .strict();
export type RequestStep = z.infer<typeof requestStepSchema>;

export const thinkStepSchema = z.discriminatedUnion(
  "distribution",
  [
    z
      .object({
        type: z.literal("think"),
        distribution: z.literal("constant"),
        ms: z.number().nonnegative().max(3_600_000),
        group: stepGroupSchema.optional(),
      })
      .strict(),
    z
      .object({
        type: z.literal("think"),
        distribution: z.literal("uniform"),
        minMs: z.number().nonnegative(),
        maxMs: z.number().nonnegative().max(3_600_000),
        group: stepGroupSchema.optional(),
      })
      .strict(),
    z
      .object({
        type: z.literal("think"),
        distribution: z.literal("normal"),
        meanMs: z.number().nonnegative().max(3_600_000),
        stddevMs: z.number().nonnegative(),
        group: stepGroupSchema.optional(),
      })
      .strict(),
  ],
  { error: (issue) => (issue.code === "invalid_union" ? "distribution must be constant, uniform or normal" : undefined) },
);
export type ThinkStep = z.infer<typeof thinkStepSchema>;

export const stepSchema = z.discriminatedUnion("type", [requestStepSchema, thinkStepSchema, wsStepSchema, sseStepSchema, grpcStepSchema], {
  error: (issue) => (issue.code === "invalid_union" ? "a step's type must be request, think, ws, sse or grpc" : undefined),
});
export type Step = z.infer<typeof stepSchema>;

/** Rows bound to variables: sequential (shared cursor), random, or unique per VU. */
export const dataSetSchema = z
  .object({
    mode: z.enum(["sequential", "random", "unique"]).default("sequential"),
    rows: z
      .array(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])))
      .min(1)
      .max(1_000_000)
      .optional(),
    csv: z.string().min(1).optional(),
  })
  .strict()
  .transform((d, ctx) => {
    let rows = d.rows;
    if (d.csv !== undefined) {
      try {
        rows = parseCsv(d.csv, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
      } catch (e) {
        ctx.addIssue({ code: "custom", path: ["csv"], message: `bad CSV: ${(e as Error).message}` });
        return z.NEVER;
      }
    }
    if (!rows || rows.length === 0) {
      ctx.addIssue({ code: "custom", path: ["rows"], message: "a data set needs rows or csv with at least one row" });
      return z.NEVER;
    }
    return { mode: d.mode, rows: rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)]))) };
  });
export type DataSet = z.infer<typeof dataSetSchema>;

export const scenarioSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[^\s].*$/, "a name must not start with a space"),
    /** Its share of the test's workload (VUs, arrivals or iterations), when it has no executor of its own. */
    weight: z.number().positive({ message: "weight must be greater than 0" }).max(1_000_000).default(1),
    executor: executorSchema.optional(),
    variables: z.record(variableName, z.string()).default({}),
    data: dataSetSchema.optional(),
    steps: z.array(stepSchema).min(1).max(200),
  })
  .strict();
export type Scenario = z.infer<typeof scenarioSchema>;

/** The templated strings of a request step, with the field each sits in. */
export function* templatedFields(step: RequestStep): Generator<{ field: (string | number)[]; text: string }> {
  yield { field: ["url"], text: step.url };
  for (const [k, v] of Object.entries(step.query ?? {})) yield { field: ["query", k], text: v };
  for (const [k, v] of Object.entries(step.headers ?? {})) yield { field: ["headers", k], text: v };
  if (step.body && "raw" in step.body) yield { field: ["body", "raw"], text: step.body.raw };
  if (step.body && "form" in step.body) for (const [k, v] of Object.entries(step.body.form)) yield { field: ["body", "form", k], text: v };
  if (step.body && "json" in step.body)
    for (const s of jsonStrings(step.body.json)) yield { field: ["body", "json", ...s.path], text: s.text };
}

/**
 * Every `{{variable}}` a step uses must be known by then: a built-in, a scenario variable, a
 * column of its data set, extracted by an earlier step, or a secret (`{{secrets.NAME}}`: whether
 * the tenant has it is the run's question, not the spec's). Issues name scenario, step and field.
 */
export function checkScenarioVariables(
  scenario: Scenario,
  addIssue: (path: (string | number)[], message: string) => void,
  /** What the test's setup extracts (`setup.token`): the values every VU may read. */
  setupVars: ReadonlySet<string> = new Set(),
): void {
  const known = new Set<string>([...BUILTIN_VARIABLES, ...Object.keys(scenario.variables), ...Object.keys(scenario.data?.rows[0] ?? {})]);
  scenario.steps.forEach((step, i) => {
    if (step.type === "think") return;
    const fields =
      step.type === "request"
        ? templatedFields(step)
        : step.type === "grpc"
          ? grpcStepTemplatedFields(step)
          : streamStepTemplatedFields(step, (v) => known.add(v));
    for (const { field, text } of fields) {
      for (const variable of templateVariables(text)) {
        // {{env.NAME}} is filled when the run is compiled (env.ts), before any worker renders.
        if (known.has(variable) || isEnvVariable(variable) || setupVars.has(variable)) continue;
        if (isSecretVariable(variable)) {
          const error = secretReferenceError(variable);
          if (error) addIssue(["steps", i, ...field], `${error} (scenario "${scenario.name}" step ${i})`);
        } else if (isSetupVariable(variable))
          addIssue(["steps", i, ...field], `{{${variable}}} is not extracted by the test's setup (scenario "${scenario.name}" step ${i})`);
        else addIssue(["steps", i, ...field], `unknown variable {{${variable}}} in scenario "${scenario.name}" step ${i}`);
      }
    }
    const extracted =
      step.type === "request"
        ? step.extract.map((e) => e.var)
        : step.type === "grpc"
          ? grpcStepExtractedVariables(step)
          : streamStepExtractedVariables(step);
    for (const v of extracted) known.add(v);
  });
}
