// Each ingest phase's database and streams, and their removal when the run is interrupted.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import postgres from "postgres";

/** A database of its own for a phase, on the Postgres at `adminUrl`; `naming` hears its name before it exists. */
export async function createDatabase(
  adminUrl: string,
  naming: (name: string) => void,
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `ll_bench_${randomBytes(5).toString("hex")}`;
  naming(name); // before it exists: an interrupt during the creation still drops it
  const admin = () => postgres(adminUrl, { max: 1, onnotice: () => undefined, connect_timeout: 10 });
  const a = admin();
  try {
    await a.unsafe(`create database ${name}`);
  } finally {
    await a.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const b = admin();
      try {
        await b.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await b.end();
      }
    },
  };
}

/**
 * What must not outlive an interrupted run: each live phase's streams and database. On a signal,
 * a detached process removes them, because this one is about to go (lib/proc.ts's handler exits
 * at once, and run.sh sends SIGKILL to the process group a second after SIGTERM).
 */
export type Leftovers = { natsUrl: string; streams: string[]; pgAdminUrl: string; database?: string };
const live = new Set<Leftovers>();
let interruptHandlers = false;

const REMOVE_LEFTOVERS = `
const { connect } = require("@nats-io/transport-node");
const { jetstreamManager } = require("@nats-io/jetstream");
const postgres = require("postgres");
const all = JSON.parse(process.argv[1]);
setTimeout(() => process.exit(1), 30000).unref();
Promise.allSettled(all.flatMap((l) => [
  (async () => {
    const nc = await connect({ servers: l.natsUrl.split(","), timeout: 5000 });
    const jsm = await jetstreamManager(nc);
    for (const s of l.streams) await jsm.streams.delete(s).catch(() => false);
    await nc.close();
  })(),
  (async () => {
    if (!l.database) return;
    const sql = postgres(l.pgAdminUrl, { max: 1, connect_timeout: 5, onnotice: () => undefined });
    await sql.unsafe("drop database if exists " + l.database + " with (force)");
    await sql.end();
  })(),
])).then(() => process.exit(0));
`;

function removeLeftoversOnSignal(): void {
  if (interruptHandlers) return;
  interruptHandlers = true;
  const root = fileURLToPath(new URL("../..", import.meta.url));
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    // First in line: another handler may exit the process as soon as it runs.
    process.prependListener(signal, () => {
      if (live.size > 0) {
        process.stderr.write(`[bench] ${signal}: removing the ingest phase's streams and database in the background\n`);
        spawn(process.execPath, ["-e", REMOVE_LEFTOVERS, JSON.stringify([...live])], {
          cwd: root,
          detached: true,
          stdio: "ignore",
        }).unref();
        live.clear();
      }
      if (process.listenerCount(signal) <= 1) process.exit(130);
    });
  }
}

/** Until the returned function is called, a signal removes `leftovers` (see removeLeftoversOnSignal). */
export function removeOnSignal(leftovers: Leftovers): () => void {
  removeLeftoversOnSignal();
  live.add(leftovers);
  return () => {
    live.delete(leftovers);
  };
}
