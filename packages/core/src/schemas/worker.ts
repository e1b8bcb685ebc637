import { z } from "zod";

/**
 * The fleet's own record: workers are shared by every tenant, so their events live under the
 * reserved tenant FLEET_TENANT (which no API caller can name: tenants may not start with "_").
 */
export const FLEET_TENANT = "_fleet";

const runRef = z.object({ tenantId: z.string().min(1), runId: z.string().min(1) });

export const workerEvents = {
  /** The orchestrator stopped hearing from the worker; the runs it had are listed (each records its own `run.worker-lost`). */
  "worker.lost": z.object({ lastSeenAt: z.string(), lostAt: z.string(), runs: z.array(runRef) }),
} as const;

export const workerCommands = {
  "worker.declare-lost": z.object({ lastSeenAt: z.string(), runs: z.array(runRef) }),
} as const;
