/** The write routes' request schemas, as the routes validate with them: what the API's OpenAPI document is made from. */

export {
  createKeySchema as createApiKeyBodySchema,
  limitsSchema as tenantLimitsBodySchema,
  secretSchema as secretBodySchema,
} from "./access-routes.ts";
export { requestSchema as agentActionBodySchema } from "./agent-routes.ts";
export { listQuery as workersQuerySchema } from "./fleet-routes.ts";
export { baselineSchema as setBaselineBodySchema, startRunSchema as startRunBodySchema } from "./routes.ts";
export { changeSchema as changeScheduleBodySchema, createSchema as createScheduleBodySchema } from "./schedule-routes.ts";
export { changeSchema as changeWebhookBodySchema, createSchema as createWebhookBodySchema } from "./webhook-routes.ts";
