import { type Scenario, scenarioSchema } from "@loadline/core";
import { CompiledScenario, type CompileOptions } from "./compiled-scenario.ts";
import type { RequestRecord, Transport } from "./transport.ts";
import type { VuSession } from "./vu-session.ts";

/** Test-only: a scenario as a user writes it, validated (defaults applied) and compiled. */
export function compile(input: Record<string, unknown>, targetUrl: string, options?: CompileOptions): CompiledScenario {
  const scenario: Scenario = scenarioSchema.parse({ name: "test", ...input });
  return CompiledScenario.compile(scenario, targetUrl, options);
}

/** Runs one iteration and returns its records. */
export async function runIteration(
  session: VuSession,
  transport: Transport,
  signal = new AbortController().signal,
): Promise<RequestRecord[]> {
  return (await runIterationOutcome(session, transport, signal)).records;
}

/** Runs one iteration: its records, and whether `signal` interrupted it. */
export async function runIterationOutcome(
  session: VuSession,
  transport: Transport,
  signal = new AbortController().signal,
): Promise<{ records: RequestRecord[]; interrupted: boolean }> {
  const records: RequestRecord[] = [];
  const interrupted = await session.iteration(transport, signal, (r) => records.push(r));
  return { records, interrupted };
}
