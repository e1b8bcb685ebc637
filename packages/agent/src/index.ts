export { type AgentOptions, ControlAgent } from "./agent.ts";
export { AgentConfigError, loadAgentConfig, parseAgentConfig, readAgentConfigFile, resolveAgentConfig } from "./config/load.ts";
export type { AgentConfig, AgentFileConfig } from "./config/schema.ts";
