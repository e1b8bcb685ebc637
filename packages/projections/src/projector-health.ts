/**
 * Where a projector is, for /readyz and the logs: `standby` while another process holds its
 * lease, `catching-up` until it has applied what its stream held when it started, `live` after,
 * and `retrying` while what failed is tried again (a transient failure: see database-errors.ts).
 */
export type ProjectorState = "standby" | "catching-up" | "live" | "retrying";

export type ProjectorHealth = {
  name: string;
  state: ProjectorState;
  /** Has applied what its stream held when it started (it may be retrying what came after). */
  caughtUp: boolean;
  /** Why it is retrying (`40P01 deadlock detected`, say); null unless it is. */
  lastError: string | null;
  /** Since when it has been retrying (ISO 8601); null unless it is. */
  since: string | null;
};
