/** The agent's version, told in agent.registered: kept with package.json's. */
export const AGENT_VERSION = "0.1.0";
