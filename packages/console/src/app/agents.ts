import { ago } from "./format.ts";
import type { AgentActionParam, AgentActionSummary, AgentView } from "./types.ts";

/** The tenant's control agents as the fleet page lists them: pure, no DOM. */

/** Active agents first (those that can be asked for an action now), then the lost; by id within each. */
export function sortAgents(agents: readonly AgentView[]): AgentView[] {
  return [...agents].sort((a, b) =>
    a.state !== b.state ? (a.state === "active" ? -1 : 1) : a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0,
  );
}

/** Labels as `k=v`, by name: the same order whatever order the agent sent them in. */
export function labelList(labels: Readonly<Record<string, string>>): string[] {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`);
}

/** An action in a few characters: its name and its parameters, an optional one with `?` (`slow-down(ms, seconds?)`). */
export function actionSignature(action: AgentActionSummary): string {
  const params = Object.entries(action.params ?? {}).map(([name, spec]) => (spec.required ? name : `${name}?`));
  return params.length === 0 ? action.name : `${action.name}(${params.join(", ")})`;
}

/** What a parameter accepts, in words: `number 0..5000, integer`, `one of on|off`, `string, at most 63`. */
export function paramText(spec: AgentActionParam): string {
  const parts: string[] = [];
  switch (spec.type) {
    case "number": {
      const range =
        spec.min !== undefined && spec.max !== undefined
          ? ` ${spec.min}..${spec.max}`
          : spec.min !== undefined
            ? ` ≥ ${spec.min}`
            : spec.max !== undefined
              ? ` ≤ ${spec.max}`
              : "";
      parts.push(`number${range}`);
      if (spec.integer) parts.push("integer");
      break;
    }
    case "enum":
      parts.push(`one of ${(spec.values ?? []).join("|")}`);
      break;
    case "string":
      parts.push("string");
      if (spec.maxLength !== undefined) parts.push(`at most ${spec.maxLength}`);
      if (spec.pattern !== undefined) parts.push(`matching ${spec.pattern}`);
      break;
    default:
      parts.push(spec.type);
  }
  if (spec.required) parts.push("required");
  return parts.join(", ");
}

/** An action's tooltip: its description, each parameter and what it accepts, and its timeout. */
export function actionDetail(action: AgentActionSummary): string {
  return [
    ...(action.description ? [action.description] : []),
    ...Object.entries(action.params ?? {}).map(([name, spec]) => `${name}: ${paramText(spec)}`),
    `timeout ${action.timeoutSec} s`,
  ].join("\n");
}

/** When it was last heard from: to a tenth of a second while it reports every second, else as `ago`. */
export function lastSeen(agent: Pick<AgentView, "silentMs" | "lastSeenAt">, now = Date.now()): string {
  if (!Number.isFinite(agent.silentMs)) return ago(agent.lastSeenAt, now);
  return agent.silentMs < 60_000 ? `${(agent.silentMs / 1000).toFixed(1)}s ago` : ago(agent.lastSeenAt, now);
}
