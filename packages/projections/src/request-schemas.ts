/** The read routes' query schemas, as the routes validate with them: what the API's OpenAPI document is made from. */

export { auditQuery as auditQuerySchema } from "./access-routes.ts";
export { actionsQuery as agentActionsQuerySchema, agentsQuery as agentsQuerySchema } from "./agent-routes.ts";
export { compareQuery as compareQuerySchema } from "./compare-routes.ts";
export { runLiveQuery as runLiveQuerySchema, tenantLiveQuery as tenantLiveQuerySchema } from "./live/live-routes.ts";
export { reportQuery as reportQuerySchema } from "./report-routes.ts";
export {
  loadTestsQuery as loadTestsQuerySchema,
  runsQuery as runsQuerySchema,
  selectionQuery as metricsQuerySchema,
  timeseriesQuery as timeseriesQuerySchema,
} from "./routes.ts";
export { ofTestQuery as schedulesOfTestQuerySchema, schedulesQuery as schedulesQuerySchema } from "./schedule-routes.ts";
export { sutQuery as sutQuerySchema } from "./sut-routes.ts";
export { deliveriesQuery as webhookDeliveriesQuerySchema, webhooksQuery as webhooksQuerySchema } from "./webhooks/routes.ts";
