import { actionNameSchema, agentEvents } from "@loadline/core";
import { z } from "zod";
import { parseSelector } from "../parse/prometheus.ts";

/** A `{{param}}` placeholder in an argv element. */
export const PLACEHOLDER = /\{\{\s*([a-z][a-z0-9-]{0,62})\s*\}\}/g;

const token = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "1-64 letters, digits, _ or - (it is a NATS subject token)");
const labelsSchema = agentEvents["agent.registered"].shape.labels;

/** A parameter's spec: strict, so that a misspelt `maxLenght` is an error rather than no limit. */
const paramSpecSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("string"),
    pattern: z
      .string()
      .refine((p) => compiles(p), "not a valid regular expression")
      .optional(),
    maxLength: z.number().int().positive().max(4096).optional(),
    required: z.boolean().optional(),
  }),
  z
    .strictObject({
      type: z.literal("number"),
      min: z.number().optional(),
      max: z.number().optional(),
      integer: z.boolean().optional(),
      required: z.boolean().optional(),
    })
    .refine((p) => p.min === undefined || p.max === undefined || p.min <= p.max, "min is above max"),
  z.strictObject({ type: z.literal("boolean"), required: z.boolean().optional() }),
  z.strictObject({ type: z.literal("enum"), values: z.array(z.string().max(4096)).min(1), required: z.boolean().optional() }),
]);
export type ParamSpec = z.infer<typeof paramSpecSchema>;

const compiles = (pattern: string): boolean => {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
};

export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;

const actionSchema = z
  .strictObject({
    name: actionNameSchema,
    description: z.string().max(500).optional(),
    /** argv: the program and its arguments, never a shell line. */
    command: z.array(z.string().max(4096)).min(1, "give the program and its arguments"),
    params: z.record(actionNameSchema, paramSpecSchema).default({}),
    timeoutSec: z.number().positive().max(3600),
    maxOutputBytes: z
      .number()
      .int()
      .positive()
      .max(512 * 1024)
      .default(DEFAULT_MAX_OUTPUT_BYTES),
  })
  .superRefine((action, ctx) => {
    // The program itself is fixed in the config: a request may choose arguments, never what runs.
    if (!action.command[0]) ctx.addIssue({ code: "custom", path: ["command", 0], message: "the program (argv[0]) is empty" });
    else if (/\{\{/.test(action.command[0])) {
      ctx.addIssue({ code: "custom", path: ["command", 0], message: "the program (argv[0]) may not hold a {{placeholder}}" });
    }
    action.command.forEach((arg, i) => {
      for (const m of arg.matchAll(PLACEHOLDER)) {
        if (!(m[1]! in action.params)) {
          ctx.addIssue({ code: "custom", path: ["command", i], message: `{{${m[1]}}} names no parameter in params` });
        }
      }
    });
  });
export type ActionConfig = z.infer<typeof actionSchema>;

const processSchema = z.strictObject({
  name: z.string().min(1).max(100),
  match: z
    .strictObject({
      /** The process name as in /proc/<pid>/comm (the kernel keeps its first 15 characters). */
      comm: z.string().min(1).max(64).optional(),
      pidFile: z.string().min(1).optional(),
      /** A cgroup v2 directory: absolute, or relative to /sys/fs/cgroup. */
      cgroup: z.string().min(1).optional(),
    })
    .refine((m) => [m.comm, m.pidFile, m.cgroup].filter((v) => v !== undefined).length === 1, "set exactly one of comm, pidFile, cgroup"),
});
export type ProcessConfig = z.infer<typeof processSchema>;

const httpUrl = z.url({ protocol: /^https?$/, error: "an http:// or https:// URL" });

const sourcesSchema = z.strictObject({
  prometheus: z
    .strictObject({
      url: httpUrl,
      /** Metric names, or `name{label="value"}` selectors. */
      series: z
        .array(
          z.string().superRefine((s, ctx) => {
            try {
              parseSelector(s);
            } catch (err) {
              ctx.addIssue({ code: "custom", message: (err as Error).message });
            }
          }),
        )
        .min(1),
      timeoutMs: z.number().int().positive().max(60_000).default(2_000),
      /** At most this many series are kept each interval (a name alone can select many). */
      maxSeries: z.number().int().positive().max(5_000).default(500),
    })
    .optional(),
  nginx: z.strictObject({ url: httpUrl, timeoutMs: z.number().int().positive().max(60_000).default(2_000) }).optional(),
  cgroup: z.strictObject({ path: z.string().min(1) }).optional(),
});
export type SourcesConfig = z.infer<typeof sourcesSchema>;

/** The agent's config file, on the SUT host: what it watches and the only actions it may run. */
export const agentConfigSchema = z
  .strictObject({
    agentId: token.optional(),
    tenant: token.optional(),
    labels: labelsSchema.default({}),
    intervalMs: z.number().int().min(100).max(60_000).default(1_000),
    processes: z.array(processSchema).max(64).default([]),
    sources: sourcesSchema.default({}),
    actions: z.array(actionSchema).max(256).default([]),
  })
  .superRefine((config, ctx) => {
    const unique = (what: "actions" | "processes", names: string[]) =>
      names.forEach((name, i) => {
        if (names.indexOf(name) !== i) ctx.addIssue({ code: "custom", path: [what, i, "name"], message: `${name} is named twice` });
      });
    unique(
      "actions",
      config.actions.map((a) => a.name),
    );
    unique(
      "processes",
      config.processes.map((p) => p.name),
    );
  });
export type AgentFileConfig = z.infer<typeof agentConfigSchema>;

/** The config the agent runs with: the file's, with the environment's id, tenant and labels applied. */
export type AgentConfig = Omit<AgentFileConfig, "agentId" | "tenant"> & { agentId: string; tenant: string };

/** A zod error as lines naming each field: `actions[0].timeoutSec: Too big: expected number to be <=3600`. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.reduce<string>(
        (acc, part) => (typeof part === "number" ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
        "",
      );
      return `${field || "(the file)"}: ${issue.message}`;
    })
    .join("\n");
}
