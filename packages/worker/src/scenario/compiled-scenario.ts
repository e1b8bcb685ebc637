import type { Scenario } from "@loadline/core";
import { DataFeeder } from "./data-feeder.ts";
import { RequestPlan } from "./request-step.ts";
import type { ScenarioPlan, ThinkPlan } from "./scenario-plan.ts";
import { type Random, thinkSampler } from "./think-time.ts";
import { parseTarget } from "./url.ts";
import { BUILTIN_SLOT, VariableTable } from "./variables.ts";
import { VuSession } from "./vu-session.ts";

export type CompileOptions = {
  /** Uniform [0, 1) source for think times and random data rows; Math.random by default. */
  random?: Random;
  /** The worker's id, what `{{__worker}}` renders; empty by default. */
  workerId?: string;
  /**
   * The values of the run's secrets (plan.secrets), which `{{secrets.NAME}}` renders: a reference
   * to one it lacks does not compile. Absent: references only checked, rendered empty.
   */
  secrets?: Readonly<Record<string, string>>;
};

/** A validated scenario compiled once per thread: templates, URLs, headers, bodies, checks and regexes. */
export class CompiledScenario {
  readonly name: string;
  /** The scenario's data rows, shared by the VUs of this thread; null without a data set. */
  readonly data: DataFeeder | null;
  private readonly plan: ScenarioPlan;

  private constructor(plan: ScenarioPlan) {
    this.plan = plan;
    this.name = plan.name;
    this.data = plan.data;
  }

  /** Throws on nothing that validation already refused, but a secret `options.secrets` lacks (named, never a value). */
  static compile(scenario: Scenario, targetUrl: string, options: CompileOptions = {}): CompiledScenario {
    const random = options.random ?? Math.random;
    const table = new VariableTable(options.secrets);
    const target = parseTarget(targetUrl);
    const refs = new Set<number>();

    const variableSlots = Object.entries(scenario.variables ?? {}).map(([name, value]) => [table.slot(name), value] as const);
    const data = scenario.data ? new DataFeeder(scenario.data, random) : null;
    const dataSlots = data ? data.columns.map((c) => table.slot(c)) : [];
    const steps = scenario.steps.map((step): RequestPlan | ThinkPlan =>
      step.type === "request" ? new RequestPlan(step, target, table, refs) : { kind: "think", sample: thinkSampler(step) },
    );

    const initialValues = new Array<string>(table.size).fill("");
    initialValues[BUILTIN_SLOT.scenario] = scenario.name;
    initialValues[BUILTIN_SLOT.worker] = options.workerId ?? "";
    for (const [slot, value] of variableSlots) initialValues[slot] = value;

    return new CompiledScenario({
      name: scenario.name,
      steps,
      initialValues,
      data,
      dataSlots,
      usesIteration: refs.has(BUILTIN_SLOT.iteration),
      random,
      table,
    });
  }

  /** A virtual user's session: its own variables and cookie jar, kept across its iterations. */
  createSession(vuId: number): VuSession {
    return new VuSession(this.plan, vuId);
  }
}
