export { Projections, type ProjectionsOptions } from "./service.ts";
export { openDatabase, type Database, type DatabaseOptions, type Db, type Tx } from "./database.ts";
export { PgReadModel, type Page, type PageRequest, type PositionWaiter, type SecondRange } from "./read-model.ts";
export { readRoutes, type ReadRoutesDeps } from "./routes.ts";
export { Projector, type Projection, type ProjectedEvent, type ProjectorOptions } from "./projector.ts";
export { eventsProjection, EVENTS_PROJECTION } from "./events-projection.ts";
export { metricsProjection, METRICS_PROJECTION } from "./metrics-projection.ts";
export { projectionMetrics, type ProjectionMetrics } from "./projection-metrics.ts";
export { loadTests, runs, metricWindows, projectionCheckpoints, type LoadTestRow, type RunRow, type MetricWindowRow } from "./schema.ts";
