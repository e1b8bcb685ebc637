export { ControlAgent, type AgentOptions, type AgentHeartbeat } from "./agent.ts";
