import type { DataFeeder } from "./data-feeder.ts";
import type { RequestPlan } from "./request-step.ts";
import type { StreamPlan } from "./stream-plans.ts";
import type { Random, ThinkSampler } from "./think-time.ts";
import type { VariableTable } from "./variables.ts";

export type ThinkPlan = { readonly kind: "think"; readonly sample: ThinkSampler };

/** What a compiled scenario hands each of its sessions. */
export type ScenarioPlan = {
  readonly name: string;
  readonly steps: readonly (RequestPlan | ThinkPlan | StreamPlan)[];
  /** A session's variables before its first iteration: scenario variables, __scenario and __worker set, the rest empty. */
  readonly initialValues: readonly string[];
  readonly data: DataFeeder | null;
  /** The slot of each of the data feeder's columns. */
  readonly dataSlots: readonly number[];
  /** Whether any template reads __iteration (else it is not rendered into a string). */
  readonly usesIteration: boolean;
  readonly random: Random;
  /** Slot of each variable name. */
  readonly table: VariableTable;
  /** The group of each step (its `group`), by index; null when no step has one (nothing to time). */
  readonly groups: readonly (string | undefined)[] | null;
};

/** A pass through a group of steps: its name, from its first step's start to its last's end (ms), and whether a request in it failed. */
export type GroupSink = (name: string, durationMs: number, failed: boolean) => void;
