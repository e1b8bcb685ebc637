import { runLiveQuerySchema, tenantLiveQuerySchema } from "@loadline/projections";
import type { RouteCatalog } from "@loadline/service";
import { z } from "zod";

const tags = ["Live"];
const LAST_EVENT_ID = { "Last-Event-ID": "The id of the last event taken: the stream resumes after it, without loss or repeats." };
const stream = (what: string) => ({ description: `Server-Sent Events: ${what}.`, content: { "text/event-stream": z.string() } });

export const liveRoutes: RouteCatalog = {
  "GET /v1/runs/:id/live": {
    summary: "Follow a run live",
    tags,
    query: runLiveQuerySchema,
    headers: LAST_EVENT_ID,
    responses: { 200: stream("the run's state, each merged second (overall and per endpoint), then `end`") },
  },
  "GET /v1/live": {
    summary: "Follow the tenant's runs live",
    tags,
    query: tenantLiveQuerySchema,
    headers: LAST_EVENT_ID,
    responses: { 200: stream("the tenant's runs as they change") },
  },
};
