import { z } from "zod";
import { envPlaceholderIssues, hasEnvPlaceholder } from "../scenario/env.ts";
import { executorSchema } from "../scenario/executors.ts";
import { httpOptionsSchema } from "../scenario/http-options.ts";
import { loadTestInputIssues } from "../scenario/input-rules.ts";
import { engineSchema, locustfileSchema, locustSpecIssues } from "../scenario/locust.ts";
import { checkScenarioVariables, scenarioSchema } from "../scenario/scenario.ts";
import { phaseScenario, RUN_PHASES, runPhaseSchema, setupVariables } from "../scenario/setup.ts";
import { isHttpUrl } from "../scenario/step-url.ts";
import { thresholdIssues } from "../thresholds/parse.ts";
import { type Thresholds, thresholdsShapeSchema } from "../thresholds/threshold-types.ts";
import { envIdSchema, metadataSchema } from "./scope.ts";
import { sutSchema, timelineSchema } from "./sut.ts";

const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;

export const requestSpecSchema = z.object({
  name: z.string().min(1).max(200).optional(),
  method: z
    .string()
    .transform((m) => m.toUpperCase())
    .pipe(z.enum(HTTP_METHODS)),
  path: z.string().min(1).max(2048).startsWith("/", { message: "path must start with /" }),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().max(1_048_576).optional(),
});
export type RequestSpec = z.infer<typeof requestSpecSchema>;

const httpUrl = z.string().url().refine(isHttpUrl, { message: "targetUrl must be an http(s) URL" });
/** An http(s) URL, or one with env placeholders (env.ts): checked once a run's env fills them (compileRun). */
const targetUrlSchema = z
  .string()
  .max(4096)
  .superRefine((url, ctx) => {
    if (hasEnvPlaceholder(url)) return;
    for (const issue of httpUrl.safeParse(url).error?.issues ?? []) ctx.addIssue({ code: "custom", message: issue.message });
  })
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the env placeholders' syntax, not a template literal
  .describe("an http(s) URL, or one with env placeholders (${NAME}, ${NAME:-default}, {{env.NAME}}) that each run's env fills");

const positiveInt = (max: number) => z.number().int().positive().max(max);

export const loadTestSpecSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(10_000).optional(),
    tags: z.array(z.string().min(1).max(64)).max(50).default([]),
    targetUrl: targetUrlSchema,
    /** The Locust form (docs/locust.md): `engine: "locust"` and a locustfile that Locust runs; no requests nor scenarios then. */
    engine: engineSchema.optional(),
    locustfile: locustfileSchema.optional(),
    /** The simple form: one scenario that loops over these requests. */
    requests: z.array(requestSpecSchema).min(1).max(100).optional(),
    /** The full form: weighted scenarios of steps (requests, think times, checks, extraction, data). */
    scenarios: z.array(scenarioSchema).min(1).max(50).optional(),
    /** The workload the scenarios without an executor of their own share by weight. */
    workload: executorSchema.optional(),
    /** HTTP version and TLS options of its requests; a request step may override them (http-options.ts). */
    http: httpOptionsSchema.optional(),
    /** How to load when the test has no workload: needed only then (see DEFAULTS). */
    defaultUsers: positiveInt(1_000_000).optional(),
    defaultSpawnRate: z.number().positive().max(1_000_000).optional(),
    defaultDurationSec: positiveInt(7 * 24 * 3600).optional(),
    maxDurationSec: positiveInt(7 * 24 * 3600).optional(),
    /** Pass/fail criteria on the run's exact merged metrics (thresholds/parse.ts): the run's verdict. */
    thresholds: thresholdsShapeSchema.optional(),
    /** Steps run once per run before the load (e.g. sign in); what they extract every VU reads as `{{setup.NAME}}` (setup.ts). */
    setup: runPhaseSchema.optional(),
    /** Steps run once per run after the load (e.g. delete fixtures); they may read `{{setup.NAME}}` too. */
    teardown: runPhaseSchema.optional(),
    /** The system under test: the agents (by their labels) whose telemetry is kept with each run. */
    sut: sutSchema.optional(),
    /** Agent actions fired on each run's clock (fault steps). */
    timeline: timelineSchema.optional(),
    /** The environment it is for (a label the lists filter by) and the client's own JSON: seed 001's fields. */
    envId: envIdSchema.optional(),
    metadata: metadataSchema.optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (needsDefaults(spec))
      for (const field of DEFAULTS)
        if (spec[field] === undefined)
          ctx.addIssue({
            code: "custom",
            path: [field],
            message: `${field} is required when the test has no workload (give workload, an executor per scenario, or the defaults)`,
          });
    if (spec.maxDurationSec !== undefined && spec.defaultDurationSec !== undefined && spec.defaultDurationSec > spec.maxDurationSec) {
      ctx.addIssue({
        code: "custom",
        path: ["defaultDurationSec"],
        message: "defaultDurationSec must not exceed maxDurationSec",
      });
    }
    for (const issue of locustSpecIssues(spec)) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
    if (spec.engine !== "locust" && !spec.requests === !spec.scenarios) {
      ctx.addIssue({ code: "custom", path: ["scenarios"], message: "give either requests or scenarios, not both and not neither" });
    }
    // A threshold on the system under test is judged on the agents the test's sut labels name: none named, it could never fail.
    for (const key of spec.sut ? [] : Object.keys(spec.thresholds ?? {}))
      if (/^\s*sut\s*(\{|$)/.test(key))
        ctx.addIssue({
          code: "custom",
          path: ["thresholds", key],
          message: "a sut threshold needs the test's sut: { labels } (the agents it is judged on)",
        });
    const names = new Set<string>();
    const setupVars = new Set(setupVariables(spec.setup));
    spec.scenarios?.forEach((scenario, i) => {
      if (names.has(scenario.name))
        ctx.addIssue({ code: "custom", path: ["scenarios", i, "name"], message: `scenario name "${scenario.name}" is used twice` });
      names.add(scenario.name);
      checkScenarioVariables(
        scenario,
        (path, message) => ctx.addIssue({ code: "custom", path: ["scenarios", i, ...path], message }),
        setupVars,
      );
    });
    // The setup reads only what it extracted itself; the teardown, the setup's values too.
    for (const phase of RUN_PHASES) {
      const steps = spec[phase];
      if (!steps) continue;
      const readable = phase === "teardown" ? setupVars : new Set<string>();
      checkScenarioVariables(
        phaseScenario(phase, steps),
        (path, message) => ctx.addIssue({ code: "custom", path: [phase, ...path], message }),
        readable,
      );
    }
  });
export type LoadTestSpec = z.infer<typeof loadTestSpecSchema>;

const DEFAULTS = ["defaultUsers", "defaultSpawnRate", "defaultDurationSec"] as const;

/**
 * Whether a run of the test loads by its defaults: when it has no workload and some of its load is
 * not said by a scenario's own executor (the simple form, or a scenario without one). Otherwise the
 * defaults may be left out (issue 20): the workload and executors say how to load.
 */
export const needsDefaults = (spec: Pick<LoadTestSpec, "workload" | "scenarios">): boolean =>
  !spec.workload && (!spec.scenarios || spec.scenarios.some((s) => !s.executor));

/** Whether a threshold rule holds env placeholders. */
function awaitsEnv(thresholds: Thresholds, path: readonly PropertyKey[]): boolean {
  const [key, index] = path;
  const rules = thresholds[String(key)];
  return hasEnvPlaceholder(JSON.stringify(typeof index === "number" && rules ? rules[index] : rules) ?? "");
}

/**
 * A test's own fields, that a run does not copy, and its locustfile (tenant code, never a
 * template): env placeholders there are left as written.
 */
const TEST_ONLY_FIELDS: readonly string[] = ["name", "description", "tags", "envId", "metadata", "locustfile"];

/** The fields of a spec a run is compiled from: where env placeholders are substituted (compileRun). */
export const runFieldsOf = <T extends object>(spec: T): Partial<T> =>
  Object.fromEntries(Object.entries(spec).filter(([field]) => !TEST_ONLY_FIELDS.includes(field))) as Partial<T>;

/** What a request is called in the stats: its name, else its path (the method is a column of its own). */
export const requestLabel = (r: RequestSpec): string => r.name ?? r.path;

/**
 * A spec as a write must give it (the API's body, the create and update commands). Stricter
 * than the events' schema, which must go on reading what older rules let in (input-rules.ts).
 */
export const loadTestInputSchema = loadTestSpecSchema.superRefine((spec, ctx) => {
  for (const issue of loadTestInputIssues(spec)) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
  for (const issue of envPlaceholderIssues(runFieldsOf(spec))) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
  // Stored specs keep the thresholds' shape only; a write must also parse (thresholds/parse.ts).
  // A rule with env placeholders is parsed once a run fills them (compileRun).
  const thresholds = spec.thresholds ?? {};
  for (const issue of thresholdIssues(thresholds).filter((i) => !awaitsEnv(thresholds, i.path)))
    ctx.addIssue({ code: "custom", path: ["thresholds", ...issue.path], message: issue.message });
});

export const loadTestEvents = {
  "load-test.created": z.object({ spec: loadTestSpecSchema }),
  "load-test.updated": z.object({ spec: loadTestSpecSchema }),
  "load-test.deleted": z.object({}),
  /** A completed run of the test is its baseline: what comparisons and baseline-relative thresholds are against. */
  "load-test.baseline-set": z.object({ runId: z.string().min(1) }),
} as const;

export const loadTestCommands = {
  "load-test.create": z.object({ spec: loadTestInputSchema }),
  "load-test.update": z.object({ spec: loadTestInputSchema, expectedVersion: z.number().int().nonnegative().optional() }),
  "load-test.delete": z.object({ expectedVersion: z.number().int().nonnegative().optional() }),
  "load-test.set-baseline": z.object({ runId: z.string().min(1) }),
} as const;
