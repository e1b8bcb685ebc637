import { z } from "zod";
import { actionNameSchema, actionParamsSchema } from "./agent.ts";
import { labelsSchema } from "./scope.ts";

const selector = labelsSchema.refine((labels) => Object.keys(labels).length > 0, "name at least one label");

/** The system under test: every agent whose labels include these is the SUT's, and its telemetry is kept with the run. */
export const sutSchema = z.object({ labels: selector }).strict();
export type Sut = z.infer<typeof sutSchema>;

/**
 * A fault step: `action` of every live agent whose labels include `agent`, `atSec` seconds after
 * the run's agreed start (to see how the SUT recovers under load).
 */
export const timelineStepSchema = z
  .object({
    atSec: z
      .number()
      .nonnegative()
      .max(7 * 24 * 3600),
    agent: selector,
    action: actionNameSchema,
    params: actionParamsSchema.default({}),
  })
  .strict();
export type TimelineStep = z.infer<typeof timelineStepSchema>;

export const timelineSchema = z.array(timelineStepSchema).min(1).max(50);
