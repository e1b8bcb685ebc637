export { accessReadRoutes } from "./access-routes.ts";
export {
  auditRowOf,
  evolveApiKey,
  evolveSecret,
  evolveTenantSettings,
  foldSecrets,
  foldTenantSettings,
  isApiKeyEvent,
  isSecretEvent,
  isTenantEvent,
} from "./access-rows.ts";
export { AGENT_PROJECTION, agentProjection } from "./agent-projection.ts";
export { registeredActionsIn } from "./agent-queries.ts";
export { type AgentRoutesDeps, agentRoutes } from "./agent-routes.ts";
export {
  AGENT_LOST_AFTER_MS,
  type AgentActionView,
  type AgentDetailView,
  type AgentView,
  type RunActionView,
  type SutSeries,
} from "./agent-views.ts";
export { comparedRun, runComparison, runSample } from "./compare-queries.ts";
export { type CompareRoutesDeps, compareRoutes } from "./compare-routes.ts";
export { type Database, type DatabaseOptions, type Db, openDatabase, type Tx } from "./database.ts";
export { evolveLoadTest, evolveRun, isLoadTestEvent, isRunEvent } from "./event-rows.ts";
export { EVENTS_PROJECTION, eventsProjection } from "./events-projection.ts";
export { aggregateKey, foldRows, type RowKey } from "./fold-rows.ts";
export * from "./live/index.ts";
export { METRICS_PROJECTION, metricsProjection, rollUp } from "./metrics-projection.ts";
export type { ProjectedEvent, Projection } from "./projection.ts";
export { type ProjectionMetrics, projectionMetrics } from "./projection-metrics.ts";
export { Projector, type ProjectorOptions } from "./projector.ts";
export type { ProjectorHealth, ProjectorState } from "./projector-health.ts";
export * from "./prometheus/index.ts";
export {
  type AuditPage,
  type AuditQuery,
  type Page,
  type PageRequest,
  PgReadModel,
  type PositionWaiter,
  type SecondRange,
} from "./read-model.ts";
export { REBUILD_BATCH_SIZE, type RebuildOptions, type RebuildResult, rebuildable, rebuildProjection } from "./rebuild.ts";
export { type CsvTable, renderCsv } from "./report/csv.ts";
export { renderHtml } from "./report/html.ts";
export { renderJson } from "./report/json.ts";
export { renderJunit } from "./report/junit.ts";
export { gatherRunReport, type ReportInputs, type ReportSources, runReportOf } from "./report/report-data.ts";
export { REPORT_CONTENT_TYPES, REPORT_EXTENSIONS, type ReportRoutesDeps, renderReport, reportRoutes } from "./report-routes.ts";
export * from "./request-schemas.ts";
export { pruneRawWindows } from "./retention.ts";
export type { TenantWindow } from "./rollups.ts";
export { type ReadRoutesDeps, readRoutes } from "./routes.ts";
export { costOfRun, type MeasuredTotals, measuredTotals, runAggregate } from "./run-cost.ts";
export { type ScheduleReadRoutesDeps, scheduleReadRoutes } from "./schedule-routes.ts";
export { evolveSchedule, isScheduleEvent, type ScheduleEvent } from "./schedule-rows.ts";
export { NEXT_FIRE_TIMES, scheduleViewOf } from "./schedule-view.ts";
export {
  type ApiKeyRow,
  type AuditRow,
  apiKeys,
  auditLog,
  type LoadTestRow,
  loadTests,
  type MetricRollupRow,
  type MetricWindowRow,
  metricRollups,
  metricWindows,
  projectionCheckpoints,
  projectionDeadLetters,
  type RunRow,
  runs,
  type ScheduleRow,
  type SecretRow,
  schedules,
  secrets,
  type TenantSettingsRow,
  tenantSettings,
} from "./schema.ts";
export { type NotReady, Projections, type ProjectionsOptions } from "./service.ts";
export { keyIn, upsertStatement } from "./sql-helpers.ts";
export { type ProjectionStatus, ProjectionStatusReader } from "./status.ts";
export { type SutRoutesDeps, sutRoutes } from "./sut-routes.ts";
export { DEFAULT_SERIES } from "./sut-series.ts";
export { DISPATCHER_DURABLE } from "./webhooks/dispatcher.ts";
export { type WebhookReadRoutesDeps, webhookReadRoutes } from "./webhooks/routes.ts";
export { type WebhookOptions, WebhookService } from "./webhooks/service.ts";
export { DEFAULT_DELIVERY_SETTINGS, type DeliverySettings, deliverySettingsFromEnv } from "./webhooks/settings.ts";
export { REPLAY_WINDOW_SEC, signature, verifySignature } from "./webhooks/signing.ts";
export type { DeliveryAttemptView, DeliveryView } from "./webhooks/view.ts";
