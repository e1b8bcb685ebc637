import { actionNameSchema } from "@loadline/core";
import { agentActionBodySchema } from "@loadline/orchestrator";
import { agentActionsQuerySchema, agentsQuerySchema, sutQuerySchema } from "@loadline/projections";
import type { RouteCatalog } from "@loadline/service";
import { z } from "zod";
import { EVENT_SEQ, json, NOT_FOUND } from "../responses.ts";
import { agentSchema, anObject, itemsOf } from "../view-schemas.ts";

const tags = ["Agents"];
const runTimeline = { runId: z.string(), startedAt: z.string().nullable() };

export const agentRoutes: RouteCatalog = {
  "GET /v1/agents": {
    summary: "List agents",
    description: "The control agents of the tenant; `label=k=v` (repeatable) keeps those carrying every label.",
    tags,
    query: agentsQuerySchema,
    responses: { 200: json("The agents.", itemsOf(agentSchema)) },
  },
  "GET /v1/agents/:id": {
    summary: "Get an agent",
    tags,
    responses: { 200: json("The agent, its last telemetry and its recent actions.", agentSchema) },
  },
  "GET /v1/agents/:id/actions": {
    summary: "List the actions of an agent",
    tags,
    query: agentActionsQuerySchema,
    responses: {
      200: json("Its actions, newest first.", z.looseObject({ agentId: z.string(), items: z.array(anObject), limit: z.number() })),
    },
  },
  "POST /v1/agents/:id/actions/:name": {
    summary: "Ask an agent for an action",
    description: "One its own config file allows; it runs on the agent's host, its outcome recorded as events.",
    tags,
    params: { name: actionNameSchema },
    body: agentActionBodySchema,
    bodyOptional: true,
    responses: {
      202: json(
        "Requested (or queued until the orchestrator is back).",
        z.object({ actionId: z.string(), agentId: z.string(), action: z.string(), status: z.enum(["requested", "queued"]) }),
        EVENT_SEQ,
      ),
    },
  },
  "GET /v1/runs/:id/sut": {
    summary: "Get the system under test of a run",
    description: "Its SUT agents' telemetry on the run's clock (seconds since its start).",
    tags,
    query: sutQuerySchema,
    responses: {
      200: json("The agents and their series.", z.looseObject({ ...runTimeline, agents: z.array(anObject), series: z.array(anObject) })),
      404: NOT_FOUND("run"),
    },
  },
  "GET /v1/runs/:id/actions": {
    summary: "List the agent actions of a run",
    tags,
    responses: {
      200: json("The actions its timeline fired, with their outcomes.", z.looseObject({ ...runTimeline, items: z.array(anObject) })),
    },
  },
};
