/** @loadline/nats: Loadline on NATS. Namespaces and subjects, streams, the JetStream event store, the command bus, replay, the workers bucket. */
export { CommandBus, type CommandOutcome, CommandTimeoutError } from "./command-bus.ts";
export { type ConnectNatsOptions, connectNats, type NatsConnection, PULL_EXPIRES_MS, type StatusLog } from "./connect.ts";
export { JetStreamEventStore } from "./jetstream-event-store.ts";
export { assertToken, type Namespace, namespace, subjects } from "./namespace.ts";
export {
  NATS_AUTH_ENV,
  type NatsAuthOptions,
  type NatsCredentials,
  type NatsTlsFiles,
  natsAuthFromEnv,
  natsConnectionOptions,
} from "./nats-auth.ts";
export { replayStream } from "./replay.ts";
export { DEFAULT_STREAM_OPTIONS, ensureStreams, type StreamOptions, streamOptionsOf } from "./streams.ts";
export {
  activeOrCarried,
  activeTracer,
  contextOfMessage,
  currentTraceContext,
  envelopeAttributes,
  failSpan,
  injectTraceHeaders,
  inSpan,
  type Link,
  linkOf,
  type MessagingOperation,
  type MessagingSpanOptions,
  natsHeaderGetter,
  natsHeaderSetter,
  type PublishHeaders,
  processing,
  startMessagingSpan,
  startPublish,
  subjectTemplate,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  type TraceHeaders,
  traceparentOf,
  withSpan,
} from "./tracing.ts";
export {
  listWorkers,
  openWorkerBucket,
  registrationEntries,
  type WorkerBucket,
  WorkerHeartbeat,
  type WorkerHeartbeatOptions,
} from "./worker-bucket.ts";
