import { tenantLimitsBodySchema, workersQuerySchema } from "@loadline/orchestrator";
import type { RouteCatalog } from "@loadline/service";
import { z } from "zod";
import { ACCEPTED, EVENT_SEQ, json } from "../responses.ts";
import { itemsOf, projectionStatusSchema, tenantSettingsSchema } from "../view-schemas.ts";

const tags = ["Platform"];

export const platformRoutes: RouteCatalog = {
  "GET /v1/workers": {
    summary: "List workers",
    description: "The fleet: each worker's state, capacity, labels and version, and the caller's runs it has lanes of.",
    tags,
    query: workersQuerySchema,
    responses: {
      200: json(
        "The workers.",
        z.object({ workers: z.array(z.looseObject({ workerId: z.string(), state: z.enum(["idle", "busy", "draining", "lost"]) })) }),
      ),
    },
  },
  "PUT /v1/tenants/:tenant/limits": {
    summary: "Set a tenant's limits",
    description: "Its quotas, and whether it may load loopback and private networks.",
    tags,
    body: tenantLimitsBodySchema,
    responses: { 200: json("The tenant's settings.", tenantSettingsSchema, EVENT_SEQ), 202: ACCEPTED },
  },
  "GET /v1/projections": {
    summary: "List the projections",
    description:
      "Each one's checkpoint, lag behind its stream and dead letters: a run's figures are final once it ended and every lag is 0.",
    tags,
    responses: { 200: json("The projections.", itemsOf(projectionStatusSchema)) },
  },
};
