/** @loadline/core: the domain. Envelopes and schemas, deciders, views, scenarios, histograms; no I/O. */

export {
  AGENT_REPORTS,
  API_COMMANDS,
  isAgentReport,
  isWorkerReport,
  WORKER_REPORTS,
  type WorkerReport,
} from "./access/command-origins.ts";
export {
  DEFAULT_QUOTAS,
  type Quotas,
  type QuotaViolation,
  quotasOf,
  quotasSchema,
  type RunAdmission,
  type RunDemand,
  runAdmission,
  runDemand,
  runQuotaViolation,
  type TenantRuns,
} from "./access/quotas.ts";
export { type Access, allows, type Principal, ROLES, type Role, roleAllows, roleSchema } from "./access/roles.ts";
export {
  addressRefusal,
  allowEntryError,
  specTargetRefusal,
  type TargetedSpec,
  type TargetRefusal,
  targetUrlRefusal,
} from "./access/target-check.ts";
export { DENY_ALL_TARGETS, type TargetPolicy, targetPolicySchema } from "./access/target-policy.ts";
export { type PlatformDefaults, SECURE_DEFAULTS, tenantPolicy } from "./access/tenant-policy.ts";
export { applyStored, correlationFor, emptyAggregate, type LoadedAggregate, loadAggregate } from "./aggregate.ts";
export { eventAsyncApi } from "./asyncapi-doc.ts";
export {
  type BucketSample,
  type ChangeVerdict,
  COMPARE_DEFAULTS,
  COMPARED_METRICS,
  COMPARED_PERCENTILES,
  type ComparedMetric,
  type ComparedPercentile,
  type CompareOptions,
  compareRuns,
  type EndpointComparison,
  type EndpointSample,
  type MetricComparison,
  type RunComparisonView,
  type RunSample,
  type RunsComparison,
  type SeriesComparison,
  type SeriesSample,
} from "./compare/compare-runs.ts";
export * from "./cost/index.ts";
export {
  type ApiKeyState,
  apiKeyDecider,
  type SecretState,
  secretDecider,
  type TenantState,
  tenantDecider,
} from "./deciders/access.ts";
export { type ActionStatus, type AgentAction, type AgentState, agentDecider, openActions } from "./deciders/agent.ts";
export { type CommandFor, type Decider, decides, type Evolver, fold } from "./deciders/decider.ts";
export { type LoadTestState, loadTestDecider } from "./deciders/load-test.ts";
export {
  isTerminal,
  type LaneHold,
  LIVE_LOAD_STATUSES,
  type LoadEnded,
  lastHeardOf,
  RUN_TRANSITIONS,
  type RunState,
  readyWorkerIds,
  runDecider,
  runWorkers,
  START_LEAD_MS,
  thresholdKey,
  type UnheldLane,
  unheldLanes,
} from "./deciders/run.ts";
export { type ScheduleFire, type ScheduleSkip, type ScheduleState, scheduleDecider } from "./deciders/schedule.ts";
export { type WebhookState, webhookDecider } from "./deciders/webhook.ts";
export { type WorkerState, workerDecider } from "./deciders/worker.ts";
export { AGENT_CONTROL_ECHOES, RUN_CONTROL_ECHOES } from "./echoes.ts";
export {
  type AggregateRef,
  type AggregateType,
  type CommandData,
  type CommandEnvelope,
  type CommandInit,
  type CommandOf,
  type CommandType,
  CURRENT_SCHEMA_VERSION,
  createCommand,
  type EventEnvelope,
  type EventOf,
  type EventType,
  eventCatalog,
  eventsFromCommand,
  type NewEvent,
  parseCommand,
  parseEvent,
  SchemaError,
  TRACEPARENT_PATTERN,
} from "./envelope.ts";
export { ConcurrencyError, DomainError, type DomainErrorCode } from "./errors.ts";
export { eventCatalogMarkdown, eventJsonSchemas } from "./event-catalog-doc.ts";
export { eventExamples } from "./event-examples.ts";
export type {
  AggregateEvents,
  AppendOptions,
  AppendResult,
  EventStore,
  EventSubscription,
  ReadAllOptions,
  StoredEvent,
} from "./event-store.ts";
export {
  droppedLate,
  GENERATOR_BOUNDS,
  type GeneratorView,
  type GeneratorWorkerView,
  generatorSaturated,
  generatorViewSchema,
  mergeGeneratorHealth,
  type SecondLoad,
} from "./generator-health.ts";
export { type BoundCounts, boundCounts } from "./histogram/bound-counts.ts";
export { decodeHistogram, encodeHistogram, mergeHistograms } from "./histogram/codec.ts";
export { type Histogram, newLatencyHistogram } from "./histogram/latency-histogram.ts";
export { type LatencySummary, summarize, summarizeEncoded, summarizeMerged } from "./histogram/summary.ts";
export { DEFAULT_TENANT, newId } from "./ids.ts";
export { InMemoryEventStore } from "./in-memory-event-store.ts";
export {
  bucketStart,
  bucketWindows,
  endpointStats,
  latencyCurve,
  type MetricsBucket,
  pointOf,
  requestStats,
  runCounters,
  secondSpan,
  series,
  type WindowRow,
} from "./metrics-math.ts";
export { mergeProtocols, protocolOf } from "./protocols.ts";
export { seededRandom } from "./random.ts";
export {
  latencySummarySchema,
  REPORT_FORMATS,
  type ReportEndpoint,
  type ReportFormat,
  type ReportPoint,
  RUN_REPORT_KIND,
  RUN_REPORT_VERSION,
  type RunReport,
  reportEndpointSchema,
  runReportSchema,
} from "./report-schema.ts";
export { compileRun } from "./scenario/compile-run.ts";
export {
  ENV_NAME,
  EnvSubstitutionError,
  envReferences,
  MAX_ENV_ENTRIES,
  MAX_ENV_VALUE_BYTES,
  type RunEnv,
  runEnvSchema,
  substituteEnv,
} from "./scenario/env.ts";
export { type Executor, executorDurationSec, executorMaxVUs, executorStartVUs, isOpenModel } from "./scenario/executors.ts";
export { DEFAULT_GRACEFUL_STOP_SEC, gracefulStopMs, maxGracefulStopMs } from "./scenario/graceful-stop.ts";
export {
  GRPC_ROW_NAMES,
  GRPC_STATUS,
  type GrpcAddress,
  type GrpcCheck,
  type GrpcStatusName,
  type GrpcStep,
  grpcAddressOf,
  grpcOrigin,
  grpcStepRowNames,
  grpcStepSchema,
  protoImportError,
} from "./scenario/grpc.ts";
export {
  effectiveHttpOptions,
  type HttpOptions,
  httpOptionsSchema,
  isDefaultHttp,
  type TlsOptions,
} from "./scenario/http-options.ts";
export { jsonPathValues } from "./scenario/json-path.ts";
export {
  type Demand,
  globalItem,
  type Lane,
  laneDemand,
  laneShare,
  maxLanes,
  peakRate,
  planExecutors,
  subLanes,
} from "./scenario/lanes.ts";
export {
  engineSchema,
  LOAD_ENGINES,
  LOCUST_EXECUTORS,
  LOCUSTFILE_MAX_BYTES,
  type LoadEngineName,
  locustfileSchema,
  locustWorkloadRefusal,
} from "./scenario/locust.ts";
export { LOCUST_SCENARIO, type RunPlan, runPlan } from "./scenario/normalize.ts";
export { compileRegex, type UserRegex } from "./scenario/regex.ts";
export { rowLabels, stepRowNames } from "./scenario/row-labels.ts";
export {
  type Body,
  type Check,
  type DataSet,
  type Extract,
  type RequestStep,
  type Scenario,
  scenarioSchema,
  type ThinkStep,
} from "./scenario/scenario.ts";
export {
  CREDENTIALS_GO_IN_SECRETS,
  inlineCredentialError,
  isCredentialHeader,
  isSecretVariable,
  SECRETS_PREFIX,
  type SecretHolder,
  secretOf,
  secretReferences,
} from "./scenario/secrets.ts";
export {
  knownSetupVariable,
  type PhaseRequest,
  phaseBudgetMs,
  phaseRequestSchema,
  phaseScenario,
  RUN_PHASES,
  type RunPhase,
  type RunPhaseName,
  setupVariables,
  stepLists,
} from "./scenario/setup.ts";
export {
  type MessageCheck,
  type MessageExtract,
  type SseStep,
  STREAM_ROW_NAMES,
  type StreamStep,
  sseStepSchema,
  streamStepRowNames,
  type WsAction,
  type WsStep,
  wsStepSchema,
} from "./scenario/streams.ts";
export { BUILTIN_VARIABLES, compileTemplate, isSetupVariable, SETUP_PREFIX } from "./scenario/template.ts";
export {
  type CronSpec,
  cronIssue,
  DUE_COUNT_CAP,
  type Dues,
  duesBetween,
  isFireTime,
  nextFireAfter,
  nextFireTimes,
  timezoneIssue,
} from "./schedule/cron.ts";
export { nextScheduleStep, type RunLookup, type ScheduleStep, type StepOptions } from "./schedule/next-step.ts";
export { scheduledRunId, scheduledStartId } from "./schedule/run-id.ts";
export {
  SECRET_NAME_PATTERN,
  sealedValueSchema,
  secretNameSchema,
  type TenantLimits,
  targetAllowListSchema,
  tenantLimitsSchema,
} from "./schemas/access.ts";
export {
  type ActionParamSpec,
  type ActionParams,
  type ActionSummary,
  type AgentRegistration,
  type AgentTelemetry,
  actionNameSchema,
  actionParamSpecSchema,
  actionParamsSchema,
  actionSummarySchema,
  agentCommands,
  agentEvents,
} from "./schemas/agent.ts";
export { type LoadTestSpec, loadTestInputSchema, loadTestSpecSchema, type RequestSpec, runFieldsOf } from "./schemas/load-test.ts";
export {
  FAILURE_KINDS,
  type FailureKind,
  type GeneratorHealth,
  GROUP_METHOD,
  type GroupWindow,
  generatorHealthSchema,
  INT4_MAX,
  type MetricWindow,
  metricWindowSchema,
  type RequestWindow,
} from "./schemas/metrics.ts";
export {
  type Placement,
  placementSchema,
  RUN_STATUSES,
  type RunParameters,
  type RunScale,
  type RunStatus,
  type RunTarget,
  runParametersSchema,
  type StopReason,
  scaleSchema,
  type WorkerShare,
} from "./schemas/run.ts";
export {
  cronSchema,
  MISSED_FIRE_POLICIES,
  type MissedFirePolicy,
  OVERLAP_POLICIES,
  type OverlapPolicy,
  runOverridesOf,
  type ScheduleDefinition,
  type ScheduleOverrides,
  type ScheduleRunOverrides,
  scheduleDefinitionSchema,
  scheduleOverridesOf,
  timezoneSchema,
} from "./schemas/schedule.ts";
export { envIdSchema, METADATA_MAX_BYTES, METADATA_MAX_KEYS, type Metadata, metadataSchema, runNameSchema } from "./schemas/scope.ts";
export { type Sut, sutSchema, type TimelineStep, timelineSchema, timelineStepSchema } from "./schemas/sut.ts";
export {
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_FORMATS,
  type WebhookDefinition,
  type WebhookEventType,
  type WebhookFilters,
  type WebhookFormat,
  type WebhookReadModel,
  type WebhookView,
  webhookDefinitionSchema,
  webhookInputSchema,
  webhookUrlSchema,
} from "./schemas/webhook.ts";
export { FLEET_TENANT } from "./schemas/worker.ts";
export {
  HEARTBEAT_INTERVAL_MS,
  matchesSelector,
  WORKER_LOST_AFTER_MS,
  type WorkerAssignment,
  type WorkerRegistration,
  workerRegistrationSchema,
} from "./schemas/worker-registration.ts";
export {
  durationOfSeed,
  type LastMetrics,
  LOAD_TEST_STATUS,
  LOCUST_CLUSTER_REFUSED,
  lastMetricsOf,
  loadTestInputOfSeed,
  pointHasData,
  type RunScope,
  runScopeOf,
  type SeedMetricsPoint,
  type SeedSummary,
  seedPointOf,
  seedSummaryOf,
  seedWriteInput,
} from "./seed-contract.ts";
export { flattenTelemetry, labelsInclude, runSecondOf, type SeriesValues } from "./sut/telemetry-series.ts";
export {
  type ParsedThreshold,
  parseThresholds,
  THRESHOLD_METRICS,
  type ThresholdAggregation,
  type ThresholdIssue,
  type ThresholdLimit,
  type ThresholdMetric,
  type ThresholdOp,
  type ThresholdScope,
  thresholdIssues,
  thresholdsSchema,
} from "./thresholds/parse.ts";
export {
  type ThresholdResult,
  type ThresholdRule,
  type Thresholds,
  thresholdResultSchema,
  thresholdRuleSchema,
  thresholdsShapeSchema,
  VERDICTS,
  type Verdict,
} from "./thresholds/threshold-types.ts";
export { type ThresholdBaseline, ThresholdTracker, type ThresholdTrackerOptions } from "./thresholds/tracker.ts";
export { sleep, sleepAtLeast } from "./time.ts";
export { firstIssue, type InvalidField } from "./validation.ts";
export type {
  AggregateView,
  ApiKeyView,
  AuditEntryView,
  DistributionView,
  EndpointView,
  LoadTestView,
  MetricsPoint,
  ReadModel,
  RequestStats,
  RunControl,
  RunGap,
  RunPhaseRecord,
  RunPhases,
  RunQueueView,
  RunView,
  RunWorkerView,
  ScheduleReadModel,
  ScheduleView,
  SecretView,
  TenantSettingsView,
} from "./views.ts";
