import type { Access } from "@loadline/core";

/**
 * Who may call each route of the API: the one place it is said. A route served but missing here
 * is refused to everyone (and the route-by-role test fails), so a new route cannot ship open by
 * mistake. `platform` is the platform admin's (the fleet, tenants' limits).
 */
export function routeAccess(metrics: "open" | "keyed"): Readonly<Record<string, Access>> {
  return {
    "GET /healthz": "public",
    "GET /readyz": "public",
    "GET /metrics": metrics === "open" ? "public" : "viewer",
    // The console's page and assets hold no data: it signs in and calls the API like any client.
    "GET /": "public",
    "GET /console/:file": "public",
    // The API's contract and its reference page: they describe the API, they hold none of its data.
    "GET /openapi.json": "public",
    "GET /docs": "public",
    "GET /docs/scalar.js": "public",

    "GET /v1/whoami": "viewer",
    "GET /v1/load-tests": "viewer",
    "GET /v1/load-tests/:id": "viewer",
    "GET /v1/runs": "viewer",
    "GET /v1/runs/:id": "viewer",
    "GET /v1/runs/:id/metrics/timeseries": "viewer",
    "GET /v1/runs/:id/metrics/aggregate": "viewer",
    "GET /v1/runs/:id/metrics/endpoints": "viewer",
    "GET /v1/runs/:id/metrics/distribution": "viewer",
    "GET /v1/runs/:id/metrics/scatter": "viewer",
    "GET /v1/runs/:id/report": "viewer",
    "GET /v1/runs/:id/compare": "viewer",
    "GET /v1/runs/:id/live": "viewer",
    "GET /v1/live": "viewer",
    "GET /v1/projections": "viewer",
    "GET /v1/secrets": "viewer",
    "GET /v1/schedules": "viewer",
    "GET /v1/schedules/:id": "viewer",
    "GET /v1/load-tests/:id/schedules": "viewer",
    "GET /v1/benchmarks/:id": "viewer",
    "GET /v1/agents": "viewer",
    "GET /v1/agents/:id": "viewer",
    "GET /v1/agents/:id/actions": "viewer",
    "GET /v1/runs/:id/sut": "viewer",
    "GET /v1/runs/:id/actions": "viewer",

    "POST /v1/load-tests/:id/runs": "operator",
    "POST /v1/runs/:id/stop": "operator",
    "POST /v1/runs/:id/pause": "operator",
    "POST /v1/runs/:id/resume": "operator",
    "POST /v1/runs/:id/scale": "operator",
    "POST /v1/load-tests/:id/baseline": "operator",
    // A schedule starts runs later, under the same checks as a start now (allow-list, quotas, at
    // every fire), of a test an editor wrote: who may start runs may schedule them.
    "POST /v1/load-tests/:id/schedules": "operator",
    "PATCH /v1/schedules/:id": "operator",
    "DELETE /v1/schedules/:id": "operator",
    // A benchmark is a run of a test (run.start): who may start runs may benchmark.
    "POST /v1/benchmarks": "operator",
    // The agent runs only what its own config file allows: asking for it is an operator's, as a stop is.
    "POST /v1/agents/:id/actions/:name": "operator",

    "POST /v1/load-tests": "editor",
    "PUT /v1/load-tests/:id": "editor",
    "DELETE /v1/load-tests/:id": "editor",
    "PUT /v1/secrets/:name": "editor",
    "DELETE /v1/secrets/:name": "editor",

    "GET /v1/api-keys": "admin",
    "POST /v1/api-keys": "admin",
    "DELETE /v1/api-keys/:id": "admin",
    "GET /v1/tenant": "admin",
    "PUT /v1/tenant/targets": "admin",
    "GET /v1/audit": "admin",
    // Webhooks send the tenant's events to a URL outside the platform (an integration, as an API
    // key is), and a URL can itself be a credential (a Slack incoming webhook's is): all theirs
    // are an admin's, the delivery log and its redelivery too.
    "GET /v1/webhooks": "admin",
    "POST /v1/webhooks": "admin",
    "GET /v1/webhooks/:id": "admin",
    "PATCH /v1/webhooks/:id": "admin",
    "DELETE /v1/webhooks/:id": "admin",
    "GET /v1/webhooks/:id/deliveries": "admin",
    "POST /v1/webhooks/:id/deliveries/:deliveryId/redeliver": "admin",
    "POST /v1/webhooks/:id/ping": "admin",

    "GET /v1/workers": "platform",
    "PUT /v1/tenants/:tenant/limits": "platform",
  };
}
