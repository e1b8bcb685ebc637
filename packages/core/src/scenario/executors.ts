import { z } from "zod";
import { gracefulStopSchema } from "./graceful-stop.ts";

const MAX_SEC = 7 * 24 * 3600;
const seconds = z.number().int().positive().max(MAX_SEC);
const count = (max: number) => z.number().int().nonnegative().max(max);
/** Every executor's: how long its iterations in flight may finish when it ends (graceful-stop.ts). */
const stopping = { gracefulStop: gracefulStopSchema.optional() };

export const stageSchema = z.object({ durationSec: seconds, target: z.number().nonnegative().max(10_000_000) }).strict();
export type Stage = z.infer<typeof stageSchema>;

/** Closed model: a fixed number of virtual users, each looping over its scenario. */
const constantVus = z
  .object({
    type: z.literal("constant-vus"),
    vus: count(1_000_000).min(1),
    durationSec: seconds,
    /** Users started per second; all at once when absent. */
    spawnRate: z.number().positive().max(1_000_000).optional(),
    ...stopping,
  })
  .strict();

const rampingVus = z
  .object({
    type: z.literal("ramping-vus"),
    startVUs: count(1_000_000).default(0),
    stages: z.array(stageSchema).min(1).max(100),
    ...stopping,
  })
  .strict();

/** Open model: iterations start at a rate whatever the target's latency; latency counts from the intended start. */
const arrivalPool = { preAllocatedVUs: count(1_000_000).min(1), maxVUs: count(1_000_000).min(1).optional() };

const constantArrivalRate = z
  .object({
    type: z.literal("constant-arrival-rate"),
    rate: z.number().positive().max(10_000_000),
    timeUnitSec: z.number().positive().max(3600).default(1),
    durationSec: seconds,
    ...arrivalPool,
    ...stopping,
  })
  .strict();

const rampingArrivalRate = z
  .object({
    type: z.literal("ramping-arrival-rate"),
    startRate: z.number().nonnegative().max(10_000_000).default(0),
    timeUnitSec: z.number().positive().max(3600).default(1),
    stages: z.array(stageSchema).min(1).max(100),
    ...arrivalPool,
    ...stopping,
  })
  .strict();

/** Fixed work: each VU runs N iterations, or N iterations shared by all VUs. */
const perVuIterations = z
  .object({
    type: z.literal("per-vu-iterations"),
    vus: count(1_000_000).min(1),
    iterations: count(1_000_000_000).min(1),
    maxDurationSec: seconds.default(600),
    ...stopping,
  })
  .strict();

const sharedIterations = z
  .object({
    type: z.literal("shared-iterations"),
    vus: count(1_000_000).min(1),
    iterations: count(1_000_000_000).min(1),
    maxDurationSec: seconds.default(600),
    ...stopping,
  })
  .strict();

export const EXECUTOR_TYPES = [
  "constant-vus",
  "ramping-vus",
  "constant-arrival-rate",
  "ramping-arrival-rate",
  "per-vu-iterations",
  "shared-iterations",
] as const;

export const executorSchema = z
  .discriminatedUnion("type", [constantVus, rampingVus, constantArrivalRate, rampingArrivalRate, perVuIterations, sharedIterations], {
    error: (issue) => (issue.code === "invalid_union" ? `unknown executor: type must be one of ${EXECUTOR_TYPES.join(", ")}` : undefined),
  })
  .superRefine((e, ctx) => {
    if (
      (e.type === "constant-arrival-rate" || e.type === "ramping-arrival-rate") &&
      e.maxVUs !== undefined &&
      e.maxVUs < e.preAllocatedVUs
    ) {
      ctx.addIssue({ code: "custom", path: ["maxVUs"], message: "maxVUs must be at least preAllocatedVUs" });
    }
  });
export type Executor = z.infer<typeof executorSchema>;
export type ExecutorType = Executor["type"];

export const isOpenModel = (e: Executor): boolean => e.type === "constant-arrival-rate" || e.type === "ramping-arrival-rate";

/** How long an executor runs at most, in seconds: what the orchestrator's timer enforces. */
export function executorDurationSec(e: Executor): number {
  switch (e.type) {
    case "constant-vus":
    case "constant-arrival-rate":
      return e.durationSec;
    case "ramping-vus":
    case "ramping-arrival-rate":
      return e.stages.reduce((sum, s) => sum + s.durationSec, 0);
    case "per-vu-iterations":
    case "shared-iterations":
      return e.maxDurationSec;
  }
}

/** The most VUs an executor may hold at once: what capacity planning counts. */
export function executorMaxVUs(e: Executor): number {
  switch (e.type) {
    case "constant-vus":
    case "per-vu-iterations":
    case "shared-iterations":
      return e.vus;
    case "ramping-vus":
      return Math.max(e.startVUs, ...e.stages.map((s) => s.target));
    case "constant-arrival-rate":
    case "ramping-arrival-rate":
      return e.maxVUs ?? e.preAllocatedVUs;
  }
}

/** The VUs an executor holds at its start: open executors' pre-allocated ones, a ramp's first. */
export function executorStartVUs(e: Executor): number {
  switch (e.type) {
    case "constant-vus":
    case "per-vu-iterations":
    case "shared-iterations":
      return e.vus;
    case "ramping-vus":
      return e.startVUs;
    case "constant-arrival-rate":
    case "ramping-arrival-rate":
      return e.preAllocatedVUs;
  }
}
