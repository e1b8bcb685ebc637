import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type NatsAuthOptions, natsAuthFromEnv, natsConnectionOptions } from "./nats-auth.ts";

/** Where connection trouble is reported: any logger with `warn` (pino's, say). */
export type StatusLog = { warn(details: object, message: string): void };

export type { NatsConnection };

export type ConnectNatsOptions = {
  /** Credentials, TLS files and inbox prefix; default: what the environment gives (natsAuthFromEnv). */
  auth?: NatsAuthOptions;
};

/**
 * Connects and keeps reconnecting for ever: a broker outage pauses a service, it does not end it.
 * Credentials and TLS come from `opts.auth`, else from the environment (NATS_USER and
 * NATS_PASSWORD, NATS_TOKEN, NATS_NKEY_SEED_FILE, NATS_CREDS_FILE, NATS_TLS_*; see nats-auth.ts).
 */
export async function connectNats(servers: string, name: string, log?: StatusLog, opts: ConnectNatsOptions = {}): Promise<NatsConnection> {
  const auth = opts.auth ?? natsAuthFromEnv(process.env);
  const nc = await connect({
    ...natsConnectionOptions(auth),
    servers: servers.split(","),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    // A stack captured up front for every request (each JetStream publish is one) was 5-7% of the
    // orchestrator's CPU in a burst of starts; errors keep their message and cause.
    noAsyncTraces: true,
  });
  if (log) {
    void (async () => {
      for await (const s of nc.status()) {
        // An error is the server's: a permission refused (which subject) or an authorization failure.
        if (s.type === "error") log.warn({ nats: s.type, err: s.error.message }, "nats status");
        else if (s.type === "disconnect" || s.type === "reconnect") log.warn({ nats: s.type }, "nats status");
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
