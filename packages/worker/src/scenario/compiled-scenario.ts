import type { HttpOptions, Scenario } from "@loadline/core";
import { DataFeeder } from "./data-feeder.ts";
import { GrpcPlan } from "./grpc-step.ts";
import { RequestPlan } from "./request-step.ts";
import type { GroupSink, ScenarioPlan, ThinkPlan } from "./scenario-plan.ts";
import { type StreamPlan, streamPlan } from "./stream-plans.ts";
import { type Random, thinkSampler } from "./think-time.ts";
import type { PlannedOrigin } from "./transport.ts";
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
  /** What the run's setup extracted (plan.setupValues), which `{{setup.NAME}}` renders. Absent: rendered empty. */
  setup?: Readonly<Record<string, string>>;
  /** The test's HTTP version and TLS options (plan.http): every request step's default. */
  http?: HttpOptions;
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
    const table = new VariableTable({
      ...(options.secrets ? { secrets: options.secrets } : {}),
      ...(options.setup ? { setup: options.setup } : {}),
    });
    const target = parseTarget(targetUrl);
    const refs = new Set<number>();

    const variableSlots = Object.entries(scenario.variables ?? {}).map(([name, value]) => [table.slot(name), value] as const);
    const data = scenario.data ? new DataFeeder(scenario.data, random) : null;
    const dataSlots = data ? data.columns.map((c) => table.slot(c)) : [];
    const steps = scenario.steps.map((step): RequestPlan | ThinkPlan | StreamPlan =>
      step.type === "request"
        ? new RequestPlan(step, target, table, refs, options.http)
        : step.type === "think"
          ? { kind: "think", sample: thinkSampler(step) }
          : step.type === "grpc"
            ? new GrpcPlan(step, targetUrl, options.http?.tls, table, refs)
            : streamPlan(step, target, table, refs, options.http?.tls),
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
      groups: scenario.steps.some((s) => s.group !== undefined) ? scenario.steps.map((s) => s.group) : null,
    });
  }

  /** The origins its request steps name, once each (by origin and connection options): what a run may connect to ahead. */
  get plannedOrigins(): PlannedOrigin[] {
    const byKey = new Map<string, PlannedOrigin>();
    for (const step of this.plan.steps) {
      const planned = step.kind === "request" ? step.plannedOrigin : null;
      if (planned) byKey.set(`${planned.connection?.key ?? ""} ${planned.origin}`, planned);
    }
    return [...byKey.values()];
  }

  /** A virtual user's session: its own variables and cookie jar, kept across its iterations; `onGroup` hears its groups' timings. */
  createSession(vuId: number, onGroup?: GroupSink): VuSession {
    return new VuSession(this.plan, vuId, onGroup);
  }
}
