import type postgres from "postgres";

/** Held by one process at a time; `lost` settles when the session holding it ends. */
export type Lease = { readonly lost: Promise<void>; release(): Promise<void> };

/** Hands out leases by name: one holder per name across every process on the database. */
export type LeaseProvider = { tryAcquire(name: string): Promise<Lease | null> };

const CHECK_EVERY_MS = 2_000;

/**
 * Leases as Postgres session advisory locks, each on a connection of its own: the lock lives
 * exactly as long as that session, so a crashed holder frees it and a standby takes over. The
 * key is hashed with the schema, so that a rebuild in its own schema does not contend with the
 * live projector. The connection is a client of its own, ended with the lease, rather than one
 * reserved from the pool: a reserved connection whose server went away is never reconnected
 * (porsager/postgres#1208), and every later lease would be asked for on it.
 */
export function advisoryLeases(connect: () => postgres.Sql): LeaseProvider {
  return {
    async tryAcquire(name: string): Promise<Lease | null> {
      const session = connect();
      const end = () => session.end({ timeout: 1 }).catch(() => undefined);
      let holder: number;
      try {
        const [row] = await session<
          { ok: boolean; pid: number }[]
        >`select pg_try_advisory_lock(hashtext(current_schema() || ':' || ${name})) as ok, pg_backend_pid() as pid`;
        if (!row?.ok) {
          await end();
          return null;
        }
        holder = row.pid;
      } catch (err) {
        await end();
        throw err;
      }
      let stopWatching: () => void = () => undefined;
      const lost = new Promise<void>((resolve) => {
        // The client reconnects by itself, but a new session does not hold the lock: same backend, or lost.
        const timer = setInterval(() => {
          session<{ pid: number }[]>`select pg_backend_pid() as pid`
            .then(([r]) => {
              if (r?.pid !== holder) throw new Error("the session holding the lease ended");
            })
            .catch(() => {
              clearInterval(timer);
              void end();
              resolve();
            });
        }, CHECK_EVERY_MS);
        stopWatching = () => clearInterval(timer);
      });
      return {
        lost,
        async release() {
          stopWatching();
          await session`select pg_advisory_unlock(hashtext(current_schema() || ':' || ${name}))`.catch(() => undefined);
          await end();
        },
      };
    },
  };
}

/** PGlite is one process's own database: the lease is always free. */
export const inProcessLeases: LeaseProvider = {
  async tryAcquire() {
    return { lost: new Promise<void>(() => undefined), release: async () => undefined };
  },
};
