import { readFileSync } from "node:fs";
import { type ConnectionOptions, credsAuthenticator, nkeyAuthenticator } from "@nats-io/transport-node";
import { z } from "zod";

/** How a service proves who it is to NATS: one way at most (none: an open server). */
export type NatsCredentials =
  | { kind: "password"; user: string; password: string }
  | { kind: "token"; token: string }
  /** A file holding the user's nkey seed (`SU…`): only its public key goes to the server, as a signature of its nonce. */
  | { kind: "nkey"; seedFile: string }
  /** A creds file (user JWT and seed), as `nsc` writes it. */
  | { kind: "creds"; file: string };

/** TLS: the CA the server's certificate must chain to, and a client certificate for a server that asks for one. */
export type NatsTlsFiles = { caFile?: string; certFile?: string; keyFile?: string };

export type NatsAuthOptions = {
  credentials?: NatsCredentials;
  /** Set (even empty): TLS is required of the server. A server that requires TLS gets it anyway. */
  tls?: NatsTlsFiles;
  /**
   * The prefix of this connection's inboxes (request replies, consumer deliveries). A server
   * that locks users down lets each subscribe only to its own (infra/nats/accounts.conf:
   * `_INBOX.<user>.>`), so that nobody reads another's replies. Default `_INBOX.<user>` for a
   * user and password, else NATS's `_INBOX`.
   */
  inboxPrefix?: string;
};

/** The environment variables natsAuthFromEnv reads. */
export const NATS_AUTH_ENV = [
  "NATS_USER",
  "NATS_PASSWORD",
  "NATS_TOKEN",
  "NATS_NKEY_SEED_FILE",
  "NATS_CREDS_FILE",
  "NATS_TLS_CA_FILE",
  "NATS_TLS_CERT_FILE",
  "NATS_TLS_KEY_FILE",
  "NATS_INBOX_PREFIX",
] as const;

/** Unset or empty: not given (an orchestrator's `NATS_TOKEN=` in a compose file means none). */
const optional = z.preprocess((v) => (v === "" ? undefined : v), z.string().optional());
const SUBJECT_TOKEN = /^[A-Za-z0-9_$-]+$/;
const SUBJECT_PREFIX = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/;

const WAYS = [
  ["NATS_USER", "NATS_USER/NATS_PASSWORD"],
  ["NATS_TOKEN", "NATS_TOKEN"],
  ["NATS_NKEY_SEED_FILE", "NATS_NKEY_SEED_FILE"],
  ["NATS_CREDS_FILE", "NATS_CREDS_FILE"],
] as const;

const envSchema = z
  .object({
    NATS_USER: optional,
    NATS_PASSWORD: optional,
    NATS_TOKEN: optional,
    NATS_NKEY_SEED_FILE: optional,
    NATS_CREDS_FILE: optional,
    NATS_TLS_CA_FILE: optional,
    NATS_TLS_CERT_FILE: optional,
    NATS_TLS_KEY_FILE: optional,
    NATS_INBOX_PREFIX: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.string().regex(SUBJECT_PREFIX, "must be subject tokens separated by dots, without wildcards or spaces").optional(),
    ),
  })
  .superRefine((env, ctx) => {
    const pair = (set: string, missing: string) => ctx.addIssue({ code: "custom", path: [missing], message: `must be set with ${set}` });
    if (env.NATS_USER !== undefined && env.NATS_PASSWORD === undefined) pair("NATS_USER", "NATS_PASSWORD");
    if (env.NATS_PASSWORD !== undefined && env.NATS_USER === undefined) pair("NATS_PASSWORD", "NATS_USER");
    if (env.NATS_TLS_CERT_FILE !== undefined && env.NATS_TLS_KEY_FILE === undefined) pair("NATS_TLS_CERT_FILE", "NATS_TLS_KEY_FILE");
    if (env.NATS_TLS_KEY_FILE !== undefined && env.NATS_TLS_CERT_FILE === undefined) pair("NATS_TLS_KEY_FILE", "NATS_TLS_CERT_FILE");
    const given = WAYS.filter(([key]) => env[key] !== undefined || (key === "NATS_USER" && env.NATS_PASSWORD !== undefined));
    if (given.length > 1) {
      ctx.addIssue({
        code: "custom",
        path: [given[1]![0]],
        message: `only one way to authenticate may be set, not ${given.map(([, name]) => name).join(" and ")}`,
      });
    }
  });

/**
 * The NATS credentials and TLS files the environment gives (NATS_USER + NATS_PASSWORD,
 * NATS_TOKEN, NATS_NKEY_SEED_FILE, NATS_CREDS_FILE; NATS_TLS_CA_FILE, NATS_TLS_CERT_FILE +
 * NATS_TLS_KEY_FILE; NATS_INBOX_PREFIX). Pure: files are read when connecting. Throws, naming
 * the variable, for half a pair or two ways to authenticate at once.
 */
export function natsAuthFromEnv(env: Readonly<Record<string, string | undefined>>): NatsAuthOptions {
  const parsed = envSchema.safeParse(Object.fromEntries(NATS_AUTH_ENV.map((key) => [key, env[key]])));
  if (!parsed.success) throw new Error(`bad NATS configuration: ${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  const credentials: NatsCredentials | undefined =
    e.NATS_USER !== undefined && e.NATS_PASSWORD !== undefined
      ? { kind: "password", user: e.NATS_USER, password: e.NATS_PASSWORD }
      : e.NATS_TOKEN !== undefined
        ? { kind: "token", token: e.NATS_TOKEN }
        : e.NATS_NKEY_SEED_FILE !== undefined
          ? { kind: "nkey", seedFile: e.NATS_NKEY_SEED_FILE }
          : e.NATS_CREDS_FILE !== undefined
            ? { kind: "creds", file: e.NATS_CREDS_FILE }
            : undefined;
  const tlsGiven = e.NATS_TLS_CA_FILE !== undefined || e.NATS_TLS_CERT_FILE !== undefined;
  return {
    ...(credentials ? { credentials } : {}),
    ...(tlsGiven
      ? {
          tls: {
            ...(e.NATS_TLS_CA_FILE !== undefined ? { caFile: e.NATS_TLS_CA_FILE } : {}),
            ...(e.NATS_TLS_CERT_FILE !== undefined ? { certFile: e.NATS_TLS_CERT_FILE, keyFile: e.NATS_TLS_KEY_FILE } : {}),
          },
        }
      : {}),
    ...(e.NATS_INBOX_PREFIX !== undefined ? { inboxPrefix: e.NATS_INBOX_PREFIX } : {}),
  };
}

/** The inbox prefix a connection takes: as given, else `_INBOX.<user>` for a user whose name is a subject token. */
export function inboxPrefixOf(auth: NatsAuthOptions): string | undefined {
  if (auth.inboxPrefix !== undefined) return auth.inboxPrefix;
  const c = auth.credentials;
  return c?.kind === "password" && SUBJECT_TOKEN.test(c.user) ? `_INBOX.${c.user}` : undefined;
}

/**
 * nats.js's connection options for these credentials and TLS files (user/pass, token,
 * nkeyAuthenticator, credsAuthenticator; tls caFile/certFile/keyFile; inboxPrefix). A seed or
 * creds file is read now, so a missing one fails at once, and again at every reconnect, so a
 * file rotated in place is picked up without a restart.
 */
export function natsConnectionOptions(auth: NatsAuthOptions): Partial<ConnectionOptions> {
  const opts: Partial<ConnectionOptions> = {};
  const c = auth.credentials;
  if (c?.kind === "password") Object.assign(opts, { user: c.user, pass: c.password });
  else if (c?.kind === "token") opts.token = c.token;
  else if (c?.kind === "nkey") {
    const seed = rereadable(c.seedFile, "NATS_NKEY_SEED_FILE", (text) => new TextEncoder().encode(text.trim()));
    opts.authenticator = nkeyAuthenticator(seed);
  } else if (c?.kind === "creds") {
    opts.authenticator = credsAuthenticator(rereadable(c.file, "NATS_CREDS_FILE", (text) => new TextEncoder().encode(text)));
  }
  if (auth.tls) {
    const { caFile, certFile, keyFile } = auth.tls;
    opts.tls = { ...(caFile ? { caFile } : {}), ...(certFile ? { certFile } : {}), ...(keyFile ? { keyFile } : {}) };
  }
  const inboxPrefix = inboxPrefixOf(auth);
  if (inboxPrefix !== undefined) opts.inboxPrefix = inboxPrefix;
  return opts;
}

/** The file's content now (throwing, naming it, when it cannot be read), then read again at every call, keeping the last good one. */
function rereadable(path: string, variable: string, decode: (text: string) => Uint8Array): () => Uint8Array {
  const read = () => decode(readFileSync(path, "utf8"));
  let last: Uint8Array;
  try {
    last = read();
  } catch (err) {
    throw new Error(`${variable}: cannot read ${path}: ${(err as Error).message}`);
  }
  return () => {
    try {
      last = read();
    } catch {
      // Being replaced right now, say: the last content read is still the best guess.
    }
    return last;
  };
}
