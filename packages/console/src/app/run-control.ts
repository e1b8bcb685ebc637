import { rate } from "./format.ts";
import type { LoadTestView, RunControl, RunView } from "./types.ts";

/** What a run may be scaled by: peak VUs (closed-model executors), arrivals/s (open-model ones), or both. */
export type ScaleModels = { vus: boolean; rate: boolean };

const OPEN_MODEL = new Set(["constant-arrival-rate", "ramping-arrival-rate"]);
const typeOf = (e: unknown): string | undefined =>
  e && typeof e === "object" && typeof (e as { type?: unknown }).type === "string" ? (e as { type: string }).type : undefined;

/**
 * Which sizes a run of this test has, as the plan is made (core's runPlan and planExecutors): the
 * test's workload for the scenarios without their own executor (constant VUs from the run's
 * parameters when it has none), and each scenario's own. Both when the test is not known (the
 * API's 400 then says which one the run lacks).
 */
export function scaleModelsOf(test: Pick<LoadTestView, "scenarios" | "workload"> | null): ScaleModels {
  if (!test) return { vus: true, rate: true };
  const scenarios = Array.isArray(test.scenarios) && test.scenarios.length > 0 ? test.scenarios : [{}];
  const shared = typeOf(test.workload) ?? "constant-vus";
  const types = scenarios.map((s) => typeOf((s as { executor?: unknown } | null)?.executor) ?? shared);
  return { vus: types.some((t) => !OPEN_MODEL.has(t)), rate: types.some((t) => OPEN_MODEL.has(t)) };
}

/** The run's size now as far as its control says: the last VUs and rate it was scaled to (else, for VUs, its planned users). */
export function currentSize(run: Pick<RunView, "controls" | "targetUsers">): { vus: number; rate: number | null } {
  let vus = run.targetUsers;
  let rateNow: number | null = null;
  for (const c of run.controls) {
    if (c.type !== "scaled") continue;
    if (c.vus !== undefined) vus = c.vus;
    if (c.rate !== undefined) rateNow = c.rate;
  }
  return { vus, rate: rateNow };
}

const factor = (f: number | undefined): string => (f === undefined || f === 1 ? "" : ` ×${+f.toFixed(2)}`);

/** A control as a short phrase: "paused", "resumed", "scaled to 12 VUs", "scaled to 40.0/s". */
export function controlText(c: RunControl): string {
  if (c.type !== "scaled") return c.type;
  const to = [c.vus !== undefined ? `${c.vus} VUs` : null, c.rate !== undefined ? `${rate(c.rate)}/s` : null].filter(Boolean);
  return to.length > 0 ? `scaled to ${to.join(", ")}` : "scaled";
}

/** A scale's new size as factors of the plan: "×1.5 VUs", "×0.5 rate"; empty when it does not say. */
export function controlFactors(c: RunControl): string {
  if (c.type !== "scaled") return "";
  const parts = [
    c.vus !== undefined && factor(c.vuFactor) ? `${factor(c.vuFactor).trim()} VUs` : null,
    c.rate !== undefined && factor(c.rateFactor) ? `${factor(c.rateFactor).trim()} rate` : null,
  ].filter(Boolean);
  return parts.join(", ");
}

/** Badge tones of the controls. */
export const CONTROL_TONE: Readonly<Record<RunControl["type"], string>> = { paused: "warn", resumed: "ok", scaled: "info" };

/**
 * The run the page shows when another view of it comes: the newer by `version`, the incoming one
 * on a tie (a read while queued: the same events, a fresher place in the queue). A late answer
 * (the stream's after an action's, or the reverse) never turns the page back.
 */
export function newerRun(current: RunView | null, incoming: RunView): RunView {
  return current === null || incoming.version >= current.version ? incoming : current;
}
