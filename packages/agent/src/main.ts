import { connectNats, namespace } from "@loadline/nats";
import {
  createLogger,
  createRegistry,
  listen,
  loadAuthConfig,
  loadConfig,
  opsRoutes,
  runUntilSignal,
  serviceAccess,
  serviceApp,
} from "@loadline/service";
import { ControlAgent } from "./agent.ts";

const config = loadConfig();
const log = createLogger("agent", config.logLevel);
const registry = createRegistry("agent");
const nc = await connectNats(config.natsUrl, "loadline-agent", log);
const agent = new ControlAgent({
  nc,
  ns: namespace(config.namespace),
  log,
  ...(process.env.LL_AGENT_ID ? { agentId: process.env.LL_AGENT_ID } : {}),
});
await agent.start();
const app = serviceApp(
  { log, maxBodyBytes: config.maxBodyBytes, access: serviceAccess(loadAuthConfig()) },
  opsRoutes({ ready: () => agent.ready(), registry }),
);
const server = await listen(app, config.port ?? 9104, config.host, { allowedHosts: config.allowedHosts });
log.info({ port: server.port, agentId: agent.id }, "agent ready");
runUntilSignal(log, async () => {
  await agent.stop();
  await server.close();
  await nc.drain();
});
