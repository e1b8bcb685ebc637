import { connect, type NatsConnection } from "@nats-io/transport-node";

/** Where connection trouble is reported: any logger with `warn` (pino's, say). */
export type StatusLog = { warn(details: object, message: string): void };

export type { NatsConnection };

/** Connects and keeps reconnecting for ever: a broker outage pauses a service, it does not end it. */
export async function connectNats(servers: string, name: string, log?: StatusLog): Promise<NatsConnection> {
  const nc = await connect({
    servers: servers.split(","),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
  });
  if (log) {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === "disconnect" || s.type === "reconnect" || s.type === "error") log.warn({ nats: s.type }, "nats status");
      }
    })();
  }
  return nc;
}

/**
 * How long a pull waits before it is renewed (its idle heartbeat is half of it). A consumer
 * whose server died is noticed after two missed heartbeats: with nats.js's default of 30 s a
 * worker could miss a stop for half a minute after a broker node failed; with this, seconds.
 */
export const PULL_EXPIRES_MS = 4_000;
