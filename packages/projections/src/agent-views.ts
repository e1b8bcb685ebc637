import type { ActionParams, ActionStatus, ActionSummary, AgentTelemetry } from "@loadline/core";
import type { AgentActionRow, AgentRow } from "./schema.ts";
import { isDefaultSeries } from "./sut-series.ts";

/** What the agent routes answer, from the rows: pure, no I/O. */

/** An agent not heard from for longer than this is lost (its telemetry comes every second). */
export const AGENT_LOST_AFTER_MS = 5_000;

export type AgentState = "active" | "lost";

export type AgentView = {
  agentId: string;
  host: string | null;
  version: string | null;
  labels: Record<string, string>;
  actions: ActionSummary[];
  sources: string[];
  registeredAt: string | null;
  lastSeenAt: string;
  state: AgentState;
  silentMs: number;
};

export type AgentActionView = {
  actionId: string;
  agentId: string;
  action: string;
  params: ActionParams;
  requestedBy: string;
  runId: string | null;
  status: ActionStatus;
  requestedAt: string;
  startedAt: string | null;
  endedAt: string | null;
  exitCode: number | null;
  output: string | null;
  truncated: boolean | null;
  reason: string | null;
  durationMs: number | null;
};

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function agentViewOf(row: Omit<AgentRow, "lastTelemetry">, now: number): AgentView {
  const silentMs = Math.max(0, now - row.lastSeenAt.getTime());
  return {
    agentId: row.agentId,
    host: row.host,
    version: row.version,
    labels: row.labels,
    actions: row.actions ?? [],
    sources: row.sources ?? [],
    registeredAt: iso(row.registeredAt),
    lastSeenAt: row.lastSeenAt.toISOString(),
    state: silentMs < AGENT_LOST_AFTER_MS ? "active" : "lost",
    silentMs,
  };
}

export type AgentDetailView = AgentView & { lastTelemetry: AgentTelemetry | null; recentActions: AgentActionView[] };

export function actionViewOf(row: AgentActionRow): AgentActionView {
  return {
    actionId: row.actionId,
    agentId: row.agentId,
    action: row.action,
    params: row.params,
    requestedBy: row.requestedBy,
    runId: row.runId,
    status: row.status,
    requestedAt: row.requestedAt.toISOString(),
    startedAt: iso(row.startedAt),
    endedAt: iso(row.endedAt),
    exitCode: row.exitCode,
    output: row.output,
    truncated: row.truncated,
    reason: row.reason,
    durationMs: row.durationMs,
  };
}

/** An action a run's timeline fired, placed on the run's clock: seconds since its start (null before it started). */
export type RunActionView = AgentActionView & { second: number | null };

export const runActionViewOf = (row: AgentActionRow, startedAt: Date | null): RunActionView => ({
  ...actionViewOf(row),
  second: startedAt ? Math.floor((row.requestedAt.getTime() - startedAt.getTime()) / 1000) : null,
});

/** One series of one agent: `[second, value]` in the order of the run's seconds. */
export type SutSeries = { agentId: string; name: string; points: [number, number][] };

/**
 * A run's SUT seconds as series. `names` asked for are answered for every agent, empty when it
 * has none of them; without names, the default set (sut-series.ts) that the agents have.
 */
export function sutSeriesOf(
  rows: readonly { agentId: string; second: number; values: Record<string, number> }[],
  names: readonly string[] | null,
): { agents: string[]; series: SutSeries[] } {
  const agents = [...new Set(rows.map((r) => r.agentId))].sort();
  const byKey = new Map<string, SutSeries>();
  const seriesOf = (agentId: string, name: string) => {
    const key = `${agentId}\u0000${name}`;
    let s = byKey.get(key);
    if (!s) byKey.set(key, (s = { agentId, name, points: [] }));
    return s;
  };
  if (names) for (const agentId of agents) for (const name of names) seriesOf(agentId, name);
  const sorted = [...rows].sort((a, b) => (a.agentId === b.agentId ? a.second - b.second : a.agentId < b.agentId ? -1 : 1));
  for (const row of sorted)
    for (const [name, value] of Object.entries(row.values)) {
      if (names ? names.includes(name) : isDefaultSeries(name)) seriesOf(row.agentId, name).points.push([row.second, value]);
    }
  const series = [...byKey.values()].sort((a, b) =>
    a.agentId === b.agentId ? a.name.localeCompare(b.name) : a.agentId < b.agentId ? -1 : 1,
  );
  return { agents, series };
}
