import { WORKER_LOST_AFTER_MS, type WorkerRegistration } from "@loadline/core";
import { listWorkers, type WorkerBucket } from "@loadline/nats";
import { installErrorHandler, type Logger, query, tenantOf } from "@loadline/service";
import { Hono } from "hono";
import { z } from "zod";

export type WorkerState = "idle" | "busy" | "draining" | "lost";

/** A worker as GET /v1/workers shows it: its registration, its state, and the caller's runs it has a share of. */
export type WorkerView = Omit<WorkerRegistration, "status"> & { state: WorkerState; silentMs: number };

export const listQuery = z.object({ state: z.enum(["idle", "busy", "draining", "lost"]).optional() }).strict();

function stateOf(w: WorkerRegistration, silentMs: number): WorkerState {
  if (silentMs > WORKER_LOST_AFTER_MS) return "lost";
  if (w.status === "draining") return "draining";
  return w.assignments.length > 0 ? "busy" : "idle";
}

/**
 * GET /v1/workers: the fleet as the workers bucket has it (a lost worker stays listed, as
 * lost, until its entry expires). Workers are shared by every tenant; each sees only the
 * assignments of its own runs.
 */
export function fleetRoutes(deps: { kv: WorkerBucket; log: Logger }): Hono {
  const app = new Hono();
  installErrorHandler(app, deps.log);
  app.get("/v1/workers", async (c) => {
    const tenantId = tenantOf(c);
    const { state } = query(c, listQuery);
    const now = Date.now();
    const workers: WorkerView[] = (await listWorkers(deps.kv))
      .map((w) => {
        const silentMs = Math.max(0, now - Date.parse(w.heartbeatAt));
        const { status: _, ...shown } = w;
        return { ...shown, state: stateOf(w, silentMs), silentMs, assignments: w.assignments.filter((a) => a.tenantId === tenantId) };
      })
      .filter((w) => state === undefined || w.state === state)
      .sort((a, b) => a.workerId.localeCompare(b.workerId));
    return c.json({ workers });
  });
  return app;
}
