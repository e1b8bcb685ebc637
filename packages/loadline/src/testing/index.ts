/** loadline/testing: real processes for tests and harnesses (bench/, chaos/): the services, nats-servers, a Postgres of one's own. */

export { type NatsNode, type NatsServers, natsServers } from "@loadline/nats/testing";
export { type DeploymentKeys, deploymentEnv, makeDeploymentKeys } from "./deployment-keys.ts";
export { type OwnPostgres, ownPostgres } from "./own-postgres.ts";
export { SERVICES, type Service, type ServiceName, startService, stopService, waitReady } from "./services.ts";
export { readSse, type SseEvent } from "./sse.ts";
