import { connectNats, namespace } from "@loadline/nats";
import { createLogger, listen, loadAuthConfig, loadConfig, opsRoutes, runUntilSignal, serviceAccess, serviceApp } from "@loadline/service";
import { collectDefaultMetrics, Registry } from "prom-client";
import { ControlAgent } from "./agent.ts";
import { loadAgentConfig } from "./config/load.ts";

const config = loadConfig();
const log = createLogger("agent", config.logLevel);
let agentConfig: ReturnType<typeof loadAgentConfig>;
try {
  // LL_AGENT_CONFIG names the file; LL_AGENT_ID, LL_AGENT_TENANT and LL_AGENT_LABELS apply over it.
  agentConfig = loadAgentConfig({
    LL_AGENT_CONFIG: process.env.LL_AGENT_CONFIG,
    LL_AGENT_ID: process.env.LL_AGENT_ID,
    LL_AGENT_TENANT: process.env.LL_AGENT_TENANT,
    LL_AGENT_LABELS: process.env.LL_AGENT_LABELS,
  });
} catch (err) {
  log.fatal({ err }, "agent config is not valid");
  process.exit(2);
}
// As createRegistry, but with prom-client's event-loop delay sampled every 100 ms, not 10: at its
// default it alone costs the agent half a percent of a core, half its budget on the SUT host.
const registry = new Registry();
registry.setDefaultLabels({ service: "agent" });
collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
const nc = await connectNats(config.natsUrl, "loadline-agent", log);
const agent = new ControlAgent({ nc, ns: namespace(config.namespace), log, config: agentConfig, registry });
await agent.start();
const app = serviceApp(
  { log, maxBodyBytes: config.maxBodyBytes, access: serviceAccess(loadAuthConfig()), registry },
  opsRoutes({ ready: () => agent.ready(), registry }),
);
const server = await listen(app, config.port ?? 9104, config.host, { allowedHosts: config.allowedHosts });
log.info(
  { port: server.port, agentId: agent.id, tenantId: agent.tenantId, actions: agentConfig.actions.map((a) => a.name) },
  "agent ready",
);
runUntilSignal(log, async () => {
  // Telemetry stops and running actions are ended and reported before the connection drains.
  await agent.stop();
  await server.close();
  await nc.drain();
});
