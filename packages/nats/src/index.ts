/** @loadline/nats: Loadline on NATS. Namespaces and subjects, streams, the JetStream event store, the command bus, replay, the workers bucket. */
export { type CommandOutcome, CommandTimeoutError, CommandBus } from "./command-bus.ts";
export { type StatusLog, connectNats, PULL_EXPIRES_MS, type NatsConnection } from "./connect.ts";
export { JetStreamEventStore, storedOf } from "./jetstream-event-store.ts";
export { type Namespace, namespace, assertToken, subjects } from "./namespace.ts";
export { replayMessages, replayStream } from "./replay.ts";
export { type StreamOptions, DEFAULT_STREAM_OPTIONS, ensureStreams, streamOptionsOf } from "./streams.ts";
export { type WorkerBucket, openWorkerBucket, listWorkers } from "./worker-bucket.ts";
