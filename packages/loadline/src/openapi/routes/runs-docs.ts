import { scaleSchema } from "@loadline/core";
import { startRunBodySchema } from "@loadline/orchestrator";
import { runsQuerySchema } from "@loadline/projections";
import type { RouteCatalog } from "@loadline/service";
import { z } from "zod";
import { ACCEPTED, CONFLICT, EVENT_SEQ, json } from "../responses.ts";
import { pageOf, runSchema } from "../view-schemas.ts";

const tags = ["Runs"];
const controlled = { 200: json("The run as it is now.", runSchema, EVENT_SEQ), 202: ACCEPTED };

export const runRoutes: RouteCatalog = {
  "GET /v1/runs": {
    summary: "List runs",
    tags,
    query: runsQuerySchema,
    responses: { 200: json("A page of the tenant's runs, newest first.", pageOf(runSchema)) },
  },
  "GET /v1/runs/:id": {
    summary: "Get a run",
    description: "Its status, parameters, placement, workers and gaps, verdict, last second's metrics and cost.",
    tags,
    responses: { 200: json("The run.", runSchema) },
  },
  "POST /v1/load-tests/:id/runs": {
    summary: "Start a run",
    description: "Over the test's defaults. Beyond the tenant's concurrent runs it waits `Queued`; a full queue is a 403 naming `runs`.",
    tags,
    body: startRunBodySchema,
    responses: {
      201: json("Started (or queued).", runSchema, { ...EVENT_SEQ, Location: "The run's path." }),
      202: ACCEPTED,
    },
  },
  "POST /v1/runs/:id/stop": {
    summary: "Stop a run",
    tags,
    responses: {
      200: json(
        "The stop is recorded: the run as it is now, and `success: true`.",
        runSchema.extend({ success: z.literal(true) }),
        EVENT_SEQ,
      ),
      202: ACCEPTED,
      409: CONFLICT("the run has already ended"),
    },
  },
  "POST /v1/runs/:id/pause": {
    summary: "Pause a run",
    description: "No iteration starts; those in flight finish.",
    tags,
    responses: { ...controlled, 409: CONFLICT("the run is not Running") },
  },
  "POST /v1/runs/:id/resume": {
    summary: "Resume a run",
    tags,
    responses: { ...controlled, 409: CONFLICT("the run is not Paused") },
  },
  "POST /v1/runs/:id/scale": {
    summary: "Scale a run",
    description: "The running run's new peak VUs (closed-model executors) or arrivals/s (open-model ones), within the tenant's quotas.",
    tags,
    body: scaleSchema,
    responses: { ...controlled, 409: CONFLICT("the run is not Running") },
  },
};
