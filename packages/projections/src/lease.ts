import type postgres from "postgres";

/** Held by one process at a time; `lost` settles when the session holding it ends. */
export type Lease = { readonly lost: Promise<void>; release(): Promise<void> };

/** Hands out leases by name: one holder per name across every process on the database. */
export type LeaseProvider = { tryAcquire(name: string): Promise<Lease | null> };

const CHECK_EVERY_MS = 2_000;

/**
 * Leases as Postgres session advisory locks on a reserved connection: the lock lives exactly as
 * long as that connection, so a crashed holder frees it and a standby takes over. The key is
 * hashed with the schema, so that a rebuild in its own schema does not contend with the live projector.
 */
export function advisoryLeases(client: postgres.Sql): LeaseProvider {
  return {
    async tryAcquire(name: string): Promise<Lease | null> {
      const conn = await client.reserve();
      try {
        const [row] = await conn<{ ok: boolean }[]>`select pg_try_advisory_lock(hashtext(current_schema() || ':' || ${name})) as ok`;
        if (!row?.ok) {
          conn.release();
          return null;
        }
      } catch (err) {
        conn.release();
        throw err;
      }
      let stopWatching = () => undefined as void;
      const lost = new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          conn`select 1`.catch(() => {
            clearInterval(timer);
            conn.release();
            resolve();
          });
        }, CHECK_EVERY_MS);
        stopWatching = () => clearInterval(timer);
      });
      return {
        lost,
        async release() {
          stopWatching();
          await conn`select pg_advisory_unlock(hashtext(current_schema() || ':' || ${name}))`.catch(() => undefined);
          conn.release();
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
