export { type AgentHeartbeat, type AgentOptions, ControlAgent } from "./agent.ts";
