export { ApiError, LoadlineClient } from "./client.ts";
export { type DemoTarget, startDemoTarget } from "./demo-target.ts";
export { type EmbeddedNats, findNatsServer, freePort, startEmbeddedNats, waitForPort } from "./embedded-nats.ts";
export { type Stack, type StackOptions, startStack } from "./stack.ts";
export { formatProgress, formatSummary } from "./summary.ts";
