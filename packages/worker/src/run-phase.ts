import {
  type PhaseRequest,
  phaseScenario,
  type RunPhase,
  type RunPhaseName,
  type RunPlan,
  SETUP_PREFIX,
  setupVariables,
} from "@loadline/core";
import { CompiledScenario, type RequestRecord } from "./scenario/index.ts";
import { HttpTransport } from "./transport/http-transport.ts";

/** What a setup or teardown did: its requests, what it extracted (a setup's), and why it failed (null: it did not). */
export type PhaseOutcome = { requests: PhaseRequest[]; values: Record<string, string>; failure: string | null };

/**
 * Runs a run's setup or teardown once, as one VU of its own: the scenario machinery (templates,
 * checks, extraction, cookies) on a transport of its own under the run's target policy. The
 * first request that fails (a transport failure, a 4xx/5xx, a failed check or an empty
 * extraction) fails the phase; its reason names the step, never a value. Never throws.
 */
export async function runPhase(name: RunPhaseName, phase: RunPhase, plan: RunPlan, workerId: string): Promise<PhaseOutcome> {
  const records: RequestRecord[] = [];
  const transport = new HttpTransport({ connections: 1, ...(plan.targetPolicy ? { targetPolicy: plan.targetPolicy } : {}) });
  try {
    const compiled = CompiledScenario.compile(phaseScenario(name, phase), plan.targetUrl, {
      workerId,
      secrets: plan.secrets ?? {},
      ...(plan.setupValues ? { setup: plan.setupValues } : {}),
      ...(plan.http ? { http: plan.http } : {}),
    });
    const session = compiled.createSession(0);
    await session.iteration(transport, new AbortController().signal, (r) => records.push(r));
    const requests = records.map(phaseRequest);
    const failed = records.findIndex((r) => r.failure !== null);
    if (failed >= 0) return { requests, values: {}, failure: `${name} failed at ${describe(records[failed]!)}` };
    return { requests, values: name === "setup" ? extracted(phase, session.variables()) : {}, failure: null };
  } catch (err) {
    return { requests: records.map(phaseRequest), values: {}, failure: `${name} could not run: ${(err as Error).message}` };
  } finally {
    await transport.close().catch(() => undefined);
  }
}

/** The setup's extractions by their names (without `setup.`), as the scenarios will read them. */
function extracted(phase: RunPhase, variables: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    setupVariables(phase).map((v) => {
      const name = v.slice(SETUP_PREFIX.length);
      return [name, variables[name] ?? ""];
    }),
  );
}

const phaseRequest = (r: RequestRecord): PhaseRequest => ({
  name: r.name,
  method: r.method,
  status: r.status,
  durationMs: Math.round((r.endedAt - r.sentAt) * 1000) / 1000,
  failure: r.failure,
});

/** A failed request as a reason: its name and what went wrong (a check or extraction, a status, a transport failure). */
function describe(r: RequestRecord): string {
  const what =
    r.failure === "check"
      ? `a check or extraction failed (status ${r.status})`
      : r.status !== null
        ? `status ${r.status}`
        : `${r.failure} failure, no response`;
  return `${r.method} ${r.name}: ${what}`;
}
