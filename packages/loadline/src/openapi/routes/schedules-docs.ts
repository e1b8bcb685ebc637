import { changeScheduleBodySchema, createScheduleBodySchema } from "@loadline/orchestrator";
import { schedulesOfTestQuerySchema, schedulesQuerySchema } from "@loadline/projections";
import type { RouteCatalog } from "@loadline/service";
import { ACCEPTED, EVENT_SEQ, IF_MATCH, json, NO_CONTENT, PRECONDITION_FAILED } from "../responses.ts";
import { pageOf, scheduleSchema } from "../view-schemas.ts";

const tags = ["Schedules"];
const written = { ...EVENT_SEQ, ETag: "Its version." };

export const scheduleRoutes: RouteCatalog = {
  "GET /v1/schedules": {
    summary: "List schedules",
    tags,
    query: schedulesQuerySchema,
    responses: { 200: json("A page of the tenant's schedules, newest first.", pageOf(scheduleSchema)) },
  },
  "GET /v1/load-tests/:id/schedules": {
    summary: "List the schedules of a load test",
    tags,
    query: schedulesOfTestQuerySchema,
    responses: { 200: json("A page of its schedules, newest first.", pageOf(scheduleSchema)) },
  },
  "GET /v1/schedules/:id": {
    summary: "Get a schedule",
    tags,
    responses: { 200: json("The schedule, with its next fire times.", scheduleSchema, { ETag: "Its version." }) },
  },
  "POST /v1/load-tests/:id/schedules": {
    summary: "Schedule runs of a load test",
    description:
      "`cron`: 5 fields, or 6 with seconds first, read in `timezone` (IANA, DST-correct); `overrides` as a run's start takes them.",
    tags,
    body: createScheduleBodySchema,
    responses: { 201: json("Created.", scheduleSchema, { ...written, Location: "The schedule's path." }), 202: ACCEPTED },
  },
  "PATCH /v1/schedules/:id": {
    summary: "Change a schedule",
    description: "Each field given replaces its own, `overrides` whole.",
    tags,
    headers: IF_MATCH,
    body: changeScheduleBodySchema,
    responses: { 200: json("Changed.", scheduleSchema, written), 202: ACCEPTED, 412: PRECONDITION_FAILED },
  },
  "DELETE /v1/schedules/:id": {
    summary: "Delete a schedule",
    tags,
    headers: IF_MATCH,
    responses: { 204: NO_CONTENT, 202: ACCEPTED, 412: PRECONDITION_FAILED },
  },
};
