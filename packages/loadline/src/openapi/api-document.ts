import type { Access } from "@loadline/core";
import { type OpenApiDocument, openApiDocument, type RouteCatalog, routeAccess } from "@loadline/service";
import { accessRoutes } from "./routes/access-docs.ts";
import { agentRoutes } from "./routes/agents-docs.ts";
import { benchmarkRoutes } from "./routes/benchmarks-docs.ts";
import { liveRoutes } from "./routes/live-docs.ts";
import { loadTestRoutes } from "./routes/load-tests-docs.ts";
import { metricsRoutes } from "./routes/metrics-docs.ts";
import { opsRoutes } from "./routes/ops-docs.ts";
import { platformRoutes } from "./routes/platform-docs.ts";
import { runRoutes } from "./routes/runs-docs.ts";
import { scheduleRoutes } from "./routes/schedules-docs.ts";
import { webhookRoutes } from "./routes/webhooks-docs.ts";

/** Every route the API serves, as its contract shows it: a route served or in routeAccess but not here fails openapi.test.ts. */
export const API_ROUTES: RouteCatalog = {
  // In the order the reference shows them: a newcomer's flow first (README's curl flow), ops last.
  ...loadTestRoutes,
  ...runRoutes,
  ...metricsRoutes,
  ...liveRoutes,
  ...scheduleRoutes,
  ...webhookRoutes,
  ...benchmarkRoutes,
  ...agentRoutes,
  ...accessRoutes,
  ...platformRoutes,
  ...opsRoutes,
};

const DESCRIPTION = `Loadline's REST API. Every operation but the public ones takes \`Authorization: Bearer <API key or JWT>\`;
its \`x-loadline-role\` is the least role that may call it (viewer < operator < editor < admin; \`platform\`: the platform admin).
The tenant is the credential's; only the platform admin may name another with \`X-Tenant-Id\`. A write answers once its events
are projected (\`X-Event-Seq\`); any query given \`minSeq=<seq>\` waits until the read model has applied it. Every error answers
\`{"error": {"code", "message", "field"}}\`.`;

/** docs/openapi.json's: /metrics open, as LL_METRICS_ACCESS's default has it. */
const DEFAULT_ACCESS = routeAccess("open");

/**
 * The API's OpenAPI 3.1 document (GET /openapi.json, docs/openapi.json). `accessOf`: who may call
 * each route where it is served (the API's AccessControl): the operations' `x-loadline-role`.
 */
export function apiDocument(accessOf: (route: string) => Access | undefined = (route) => DEFAULT_ACCESS[route]): OpenApiDocument {
  return openApiDocument({
    info: { title: "Loadline API", version: "1", description: DESCRIPTION },
    routes: API_ROUTES,
    accessOf,
  });
}
