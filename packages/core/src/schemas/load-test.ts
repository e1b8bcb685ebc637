import { z } from "zod";
import { executorSchema } from "../scenario/executors.ts";
import { loadTestInputIssues } from "../scenario/input-rules.ts";
import { checkScenarioVariables, scenarioSchema } from "../scenario/scenario.ts";
import { isHttpUrl } from "../scenario/step-url.ts";
import { thresholdIssues } from "../thresholds/parse.ts";
import { thresholdsShapeSchema } from "../thresholds/threshold-types.ts";
import { envIdSchema, metadataSchema } from "./scope.ts";

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

const positiveInt = (max: number) => z.number().int().positive().max(max);

export const loadTestSpecSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(10_000).optional(),
    tags: z.array(z.string().min(1).max(64)).max(50).default([]),
    targetUrl: httpUrl,
    /** The simple form: one scenario that loops over these requests. */
    requests: z.array(requestSpecSchema).min(1).max(100).optional(),
    /** The full form: weighted scenarios of steps (requests, think times, checks, extraction, data). */
    scenarios: z.array(scenarioSchema).min(1).max(50).optional(),
    /** The workload the scenarios without an executor of their own share by weight. */
    workload: executorSchema.optional(),
    /** How to load when the test has no workload: needed only then (see DEFAULTS). */
    defaultUsers: positiveInt(1_000_000).optional(),
    defaultSpawnRate: z.number().positive().max(1_000_000).optional(),
    defaultDurationSec: positiveInt(7 * 24 * 3600).optional(),
    maxDurationSec: positiveInt(7 * 24 * 3600).optional(),
    /** Pass/fail criteria on the run's exact merged metrics (thresholds/parse.ts): the run's verdict. */
    thresholds: thresholdsShapeSchema.optional(),
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
    if (!spec.requests === !spec.scenarios) {
      ctx.addIssue({ code: "custom", path: ["scenarios"], message: "give either requests or scenarios, not both and not neither" });
    }
    const names = new Set<string>();
    spec.scenarios?.forEach((scenario, i) => {
      if (names.has(scenario.name))
        ctx.addIssue({ code: "custom", path: ["scenarios", i, "name"], message: `scenario name "${scenario.name}" is used twice` });
      names.add(scenario.name);
      checkScenarioVariables(scenario, (path, message) => ctx.addIssue({ code: "custom", path: ["scenarios", i, ...path], message }));
    });
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

/** What a request is called in the stats: its name, else its path (the method is a column of its own). */
export const requestLabel = (r: RequestSpec): string => r.name ?? r.path;

/**
 * A spec as a write must give it (the API's body, the create and update commands). Stricter
 * than the events' schema, which must go on reading what older rules let in (input-rules.ts).
 */
export const loadTestInputSchema = loadTestSpecSchema.superRefine((spec, ctx) => {
  for (const issue of loadTestInputIssues(spec)) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
  // Stored specs keep the thresholds' shape only; a write must also parse (thresholds/parse.ts).
  for (const issue of spec.thresholds ? thresholdIssues(spec.thresholds) : [])
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
