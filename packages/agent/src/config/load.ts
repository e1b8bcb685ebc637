import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import { type AgentConfig, type AgentFileConfig, agentConfigSchema, formatIssues } from "./schema.ts";

export class AgentConfigError extends Error {
  override name = "AgentConfigError";
}

/** Validates a config object (a parsed file, or a literal in a test or the embedded stack). */
export function parseAgentConfig(raw: unknown, source = "agent config"): AgentFileConfig {
  const parsed = agentConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new AgentConfigError(`${source} is not valid:\n${formatIssues(parsed.error)}`);
  return parsed.data;
}

/** Reads a config file: YAML (.yaml, .yml) or JSON (.json), by its extension. */
export function readAgentConfigFile(path: string): AgentFileConfig {
  const ext = extname(path).toLowerCase();
  if (![".yaml", ".yml", ".json"].includes(ext)) throw new AgentConfigError(`${path}: the agent config is .yaml, .yml or .json`);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new AgentConfigError(`cannot read the agent config ${path}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = ext === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new AgentConfigError(`${path} is not valid ${ext === ".json" ? "JSON" : "YAML"}: ${(err as Error).message}`);
  }
  return parseAgentConfig(raw, path);
}

/** "service=api,host=web1" to { service: "api", host: "web1" }. */
export function parseLabelList(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of text.split(",")) {
    if (!pair.trim()) continue;
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new AgentConfigError(`LL_AGENT_LABELS: "${pair.trim()}" is not key=value`);
    labels[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return labels;
}

/** The default agent id: the host's name, made a valid subject token. */
export const defaultAgentId = (): string => `a-${hostname().replace(/[^A-Za-z0-9_-]/g, "-")}`.slice(0, 64);

/**
 * The config from the environment: the file named by LL_AGENT_CONFIG (else `fallback`), then
 * LL_AGENT_ID and LL_AGENT_TENANT over its id and tenant, and LL_AGENT_LABELS over its labels.
 */
export function loadAgentConfig(env: NodeJS.ProcessEnv = process.env, fallback: unknown = {}): AgentConfig {
  const file = env.LL_AGENT_CONFIG ? readAgentConfigFile(env.LL_AGENT_CONFIG) : parseAgentConfig(fallback);
  const merged = {
    ...file,
    ...(env.LL_AGENT_ID ? { agentId: env.LL_AGENT_ID } : {}),
    ...(env.LL_AGENT_TENANT ? { tenant: env.LL_AGENT_TENANT } : {}),
    labels: { ...file.labels, ...parseLabelList(env.LL_AGENT_LABELS ?? "") },
  };
  // Checked again: the environment's values must be as valid as the file's.
  const checked = parseAgentConfig(merged, "the agent config with LL_AGENT_ID, LL_AGENT_TENANT and LL_AGENT_LABELS applied");
  return resolveAgentConfig(checked);
}

/** Fills in what the file may leave out: the id (from the host name) and the tenant ("default"). */
export function resolveAgentConfig(config: AgentFileConfig): AgentConfig {
  return { ...config, agentId: config.agentId ?? defaultAgentId(), tenant: config.tenant ?? "default" };
}
