import { sleep } from "@loadline/core";
import {
  DiscardPolicy,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "@nats-io/jetstream";
import { errors, type NatsConnection, nanos } from "@nats-io/transport-node";
import { type Namespace, subjects } from "./namespace.ts";

export type StreamOptions = {
  /** How long metric windows are kept (LL_METRICS max age). */
  metricsMaxAgeMs: number;
  /** 3 on a 3-node cluster, 1 on a single server. */
  replicas: number;
};

export const DEFAULT_STREAM_OPTIONS: StreamOptions = { metricsMaxAgeMs: 30 * 24 * 3600 * 1000, replicas: 1 };

const DEDUP_WINDOW_MS = 2 * 60 * 1000;

/**
 * Replicas for the streams: as asked, or with "auto" 3 when the server is in a cluster of 3 or
 * more (its INFO lists every member's client URL), else 1. A stream keeps every acknowledged
 * message through the loss of one of 3 servers.
 */
export function resolveReplicas(nc: NatsConnection, asked: number | "auto"): number {
  if (asked !== "auto") return asked;
  const info = nc.info;
  const members = new Set(info?.connect_urls ?? []).size;
  return info?.cluster && members >= 3 ? 3 : 1;
}

export function streamConfigs(ns: Namespace, opts: StreamOptions = DEFAULT_STREAM_OPTIONS): (Partial<StreamConfig> & { name: string })[] {
  const common = { storage: StorageType.File, num_replicas: opts.replicas, duplicate_window: nanos(DEDUP_WINDOW_MS) };
  return [
    // Commands are work: each is removed once the orchestrator acks it.
    { ...common, name: ns.streams.commands, subjects: [subjects.allCommands(ns)], retention: RetentionPolicy.Workqueue },
    // The event store: kept for ever, one subject per aggregate.
    { ...common, name: ns.streams.events, subjects: [subjects.allEvents(ns)], retention: RetentionPolicy.Limits },
    {
      ...common,
      name: ns.streams.metrics,
      subjects: [subjects.allMetrics(ns)],
      retention: RetentionPolicy.Limits,
      max_age: nanos(opts.metricsMaxAgeMs),
    },
    {
      ...common,
      name: ns.streams.agent,
      subjects: [subjects.allAgent(ns)],
      retention: RetentionPolicy.Limits,
      max_age: nanos(24 * 3600 * 1000),
      max_msgs_per_subject: 1000,
      discard: DiscardPolicy.Old,
    },
  ];
}

/**
 * Creates the streams, or updates them to this configuration: safe to call at every start. A
 * stream already as asked is only read. On a locked-down NATS (infra/nats/accounts.conf) only
 * the orchestrator may create and change streams: a service that may not (the API, the
 * projections) leaves an existing stream as its owner set it, and fails on a missing one.
 */
export async function ensureStreams(jsm: JetStreamManager, ns: Namespace, opts: StreamOptions = DEFAULT_STREAM_OPTIONS): Promise<void> {
  for (const config of streamConfigs(ns, opts)) {
    const name = config.name;
    const existing = await jsm.streams.info(name).catch(() => null);
    if (!existing) await addStream(jsm, config);
    else if (differs(existing.config, config)) {
      await jsm.streams.update(name, { ...existing.config, ...config }).catch((err: unknown) => {
        if (!(err instanceof Error && err.cause instanceof errors.PermissionViolationError)) throw err;
      });
    }
  }
}

/** JetStream's "error creating store for stream": the server could not make the stream's directory. */
const STREAM_STORE_FAILED = 10077;
const ADD_ATTEMPTS = 3;

/**
 * Adds a stream, trying again (twice, 100 then 200 ms on) when the server failed to create its
 * store: a failure of the server's own disk that passes. Seen in CI against a shared nats-server
 * 2.9: the mkdir of a new stream's directory failed (no such file or directory) while other test
 * runs deleted their last streams, and with them the account's directory.
 */
async function addStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await jsm.streams.add(config);
      return;
    } catch (err) {
      if (!(err instanceof JetStreamApiError && err.code === STREAM_STORE_FAILED) || attempt === ADD_ATTEMPTS) throw err;
      await sleep(100 * attempt);
    }
  }
}

/** Whether any setting asked for is not what the stream has. */
const differs = (existing: StreamConfig, asked: Partial<StreamConfig>): boolean =>
  Object.entries(asked).some(([key, value]) => JSON.stringify(existing[key as keyof StreamConfig]) !== JSON.stringify(value));

/** The stream options a service's configuration asks for, on this connection's server. */
export const streamOptionsOf = (
  config: { metricsMaxAgeMs: number; streamReplicas: number | "auto" },
  nc: NatsConnection,
): StreamOptions => ({
  metricsMaxAgeMs: config.metricsMaxAgeMs,
  replicas: resolveReplicas(nc, config.streamReplicas),
});
