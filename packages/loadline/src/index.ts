export { startStack, type Stack, type StackOptions } from "./stack.ts";
export { startDemoTarget, type DemoTarget } from "./demo-target.ts";
export { startEmbeddedNats, findNatsServer, freePort, waitForPort, type EmbeddedNats } from "./embedded-nats.ts";
export { LoadlineClient, ApiError } from "./client.ts";
export { formatSummary, formatProgress } from "./summary.ts";
