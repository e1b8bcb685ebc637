import { loadTestInputSchema } from "@loadline/core";
import { setBaselineBodySchema } from "@loadline/orchestrator";
import { loadTestsQuerySchema } from "@loadline/projections";
import type { RouteCatalog } from "@loadline/service";
import { EVENT_SEQ, IF_MATCH, json, NO_CONTENT, PRECONDITION_FAILED } from "../responses.ts";
import { loadTestSchema, pageOf } from "../view-schemas.ts";

const tags = ["Load tests"];
/** Named: POST and PUT take it, and it is the document's largest schema. */
const loadTestInput = loadTestInputSchema.meta({ id: "LoadTestInput", description: "A load test as written: the YAML/JSON file's shape." });
const written = { ...EVENT_SEQ, ETag: "Its version." };

export const loadTestRoutes: RouteCatalog = {
  "GET /v1/load-tests": {
    summary: "List load tests",
    description: "Newest first.",
    tags,
    query: loadTestsQuerySchema,
    responses: { 200: json("A page of the tenant's load tests.", pageOf(loadTestSchema)) },
  },
  "GET /v1/load-tests/:id": {
    summary: "Get a load test",
    tags,
    responses: { 200: json("The load test.", loadTestSchema, { ETag: "Its version." }) },
  },
  "POST /v1/load-tests": {
    summary: "Create a load test",
    description: "A target, the requests (or scenarios) to send, and how to load it; thresholds optional.",
    tags,
    body: loadTestInput,
    responses: { 201: json("Created.", loadTestSchema, { ...written, Location: "The load test's path." }) },
  },
  "PUT /v1/load-tests/:id": {
    summary: "Replace a load test",
    tags,
    headers: IF_MATCH,
    body: loadTestInput,
    responses: { 200: json("Replaced.", loadTestSchema, written), 412: PRECONDITION_FAILED },
  },
  "DELETE /v1/load-tests/:id": {
    summary: "Delete a load test",
    tags,
    headers: IF_MATCH,
    responses: { 204: NO_CONTENT, 412: PRECONDITION_FAILED },
  },
  "POST /v1/load-tests/:id/baseline": {
    summary: "Set the baseline of a load test",
    description: "A completed run of the test: what `compare?to=baseline` and baseline-relative thresholds are against.",
    tags,
    body: setBaselineBodySchema,
    responses: { 200: json("The load test with its baseline.", loadTestSchema, written) },
  },
};
