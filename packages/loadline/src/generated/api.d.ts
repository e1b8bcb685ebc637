/**
 * The API's types for openapi-fetch (`createClient<paths>()`), generated from docs/openapi.json by
 * openapi-typescript: do not edit; `npm run docs:openapi` writes it again.
 */

export interface paths {
    "/v1/load-tests": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List load tests
         * @description Newest first.
         */
        get: operations["listLoadTests"];
        put?: never;
        /**
         * Create a load test
         * @description A target, the requests (or scenarios) to send, and how to load it; thresholds optional.
         */
        post: operations["createLoadTest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/load-tests/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a load test */
        get: operations["getLoadTest"];
        /** Replace a load test */
        put: operations["replaceLoadTest"];
        post?: never;
        /** Delete a load test */
        delete: operations["deleteLoadTest"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/load-tests/{id}/baseline": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Set the baseline of a load test
         * @description A completed run of the test: what `compare?to=baseline` and baseline-relative thresholds are against.
         */
        post: operations["setBaselineLoadTest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List runs */
        get: operations["listRuns"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get a run
         * @description Its status, parameters, placement, workers and gaps, verdict, last second's metrics and cost.
         */
        get: operations["getRun"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/load-tests/{id}/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start a run
         * @description Over the test's defaults. Beyond the tenant's concurrent runs it waits `Queued`; a full queue is a 403 naming `runs`.
         */
        post: operations["startRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/stop": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Stop a run */
        post: operations["stopRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Pause a run
         * @description No iteration starts; those in flight finish.
         */
        post: operations["pauseRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume a run */
        post: operations["resumeRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/scale": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Scale a run
         * @description The running run's new peak VUs (closed-model executors) or arrivals/s (open-model ones), within the tenant's quotas.
         */
        post: operations["scaleRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/metrics/timeseries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get the timeseries of a run */
        get: operations["getTimeseriesRun"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/metrics/aggregate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get the aggregate of a run
         * @description Totals and exact percentiles merged from every worker's HDR histograms; seed 001's avgRPS... beside; the run's cost.
         */
        get: operations["getAggregateRun"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/metrics/endpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get the endpoints of a run */
        get: operations["getEndpointsRun"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/metrics/distribution": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get the latency distribution of a run */
        get: operations["getLatencyDistributionRun"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/metrics/scatter": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get the scatter of a run
         * @description The distribution, by seed 001's name, its points under the seed's names too.
         */
        get: operations["getScatterRun"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/report": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get the report of a run
         * @description As an attachment, in the format asked (html, json, csv, junit, pdf); html and pdf may compare the run with another.
         */
        get: operations["getReportRun"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/compare": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Compare a run
         * @description Against its test's baseline or another run: per endpoint and overall, each figure better, same or worse beyond noise.
         */
        get: operations["compareRun"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Follow a run live */
        get: operations["followRunLive"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Follow the tenant's runs live */
        get: operations["followTenantSRunsLive"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/schedules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List schedules */
        get: operations["listSchedules"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/load-tests/{id}/schedules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the schedules of a load test */
        get: operations["listSchedulesLoadTest"];
        put?: never;
        /**
         * Schedule runs of a load test
         * @description `cron`: 5 fields, or 6 with seconds first, read in `timezone` (IANA, DST-correct); `overrides` as a run's start takes them.
         */
        post: operations["scheduleRunsLoadTest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/schedules/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a schedule */
        get: operations["getSchedule"];
        put?: never;
        post?: never;
        /** Delete a schedule */
        delete: operations["deleteSchedule"];
        options?: never;
        head?: never;
        /**
         * Change a schedule
         * @description Each field given replaces its own, `overrides` whole.
         */
        patch: operations["changeSchedule"];
        trace?: never;
    };
    "/v1/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List webhooks */
        get: operations["listWebhooks"];
        put?: never;
        /**
         * Subscribe a URL to events
         * @description The URL obeys the tenant's allow-list as load targets do. The answer carries the signing secret, the only time it is shown: deliveries are signed `v1=HMAC-SHA256(secret, timestamp + '.' + body)` (docs/webhooks.md).
         */
        post: operations["subscribeURLToEvents"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a webhook */
        get: operations["getWebhook"];
        put?: never;
        post?: never;
        /**
         * Delete a webhook
         * @description Its pending deliveries are not sent.
         */
        delete: operations["deleteWebhook"];
        options?: never;
        head?: never;
        /**
         * Change a webhook
         * @description Each field given replaces its own (`events` and `filters` whole); `rotateSecret: true` makes a new secret, shown in the answer.
         */
        patch: operations["changeWebhook"];
        trace?: never;
    };
    "/v1/webhooks/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List a webhook's deliveries
         * @description The delivery log, newest first: each delivery's state, attempts and next attempt; `state=failed` lists the dead letters.
         */
        get: operations["listWebhookSDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Redeliver a delivery
         * @description Sends it again at once with the same id (the receiver's idempotency key), whatever its state; a dead letter comes back to life.
         */
        post: operations["redeliverDelivery"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}/ping": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a test delivery
         * @description A `webhook.ping` event, signed and retried as any delivery is.
         */
        post: operations["sendTestDelivery"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/benchmarks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run a benchmark
         * @description `jobs` iterations of the test's scenarios shared by `concurrency` VUs; `?wait=` holds the answer until it completes.
         */
        post: operations["runBenchmark"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/benchmarks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a benchmark */
        get: operations["getBenchmark"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/agents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List agents
         * @description The control agents of the tenant; `label=k=v` (repeatable) keeps those carrying every label.
         */
        get: operations["listAgents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/agents/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get an agent */
        get: operations["getAgent"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/agents/{id}/actions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the actions of an agent */
        get: operations["listActionsAgent"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/agents/{id}/actions/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Ask an agent for an action
         * @description One its own config file allows; it runs on the agent's host, its outcome recorded as events.
         */
        post: operations["askAgentForAction"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/sut": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get the system under test of a run
         * @description Its SUT agents' telemetry on the run's clock (seconds since its start).
         */
        get: operations["getSystemUnderTestRun"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/actions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the agent actions of a run */
        get: operations["listAgentActionsRun"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/whoami": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Who am I
         * @description The caller's tenant, role and actor, as its credential says.
         */
        get: operations["whoAmI"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List API keys */
        get: operations["listAPIKeys"];
        put?: never;
        /** Create an API key */
        post: operations["createAPIKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api-keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an API key */
        delete: operations["revokeAPIKey"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/secrets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List secrets */
        get: operations["listSecrets"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/secrets/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Set a secret
         * @description Sealed before it leaves the API; a test uses it as `{{secrets.NAME}}`.
         */
        put: operations["setSecret"];
        post?: never;
        /** Delete a secret */
        delete: operations["deleteSecret"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenant": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get the tenant's settings */
        get: operations["getTenantSSettings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenant/targets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set the tenant's target allow-list */
        put: operations["setTenantSTargetAllowList"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read the audit log
         * @description The tenant's events, newest first: who caused what, when. `next` is the following page's `after`.
         */
        get: operations["readAuditLog"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/workers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List workers
         * @description The fleet: each worker's state, capacity, labels and version, and the caller's runs it has lanes of.
         */
        get: operations["listWorkers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenant}/limits": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Set a tenant's limits
         * @description Its quotas, and whether it may load loopback and private networks.
         */
        put: operations["setTenantSLimits"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/projections": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the projections
         * @description Each one's checkpoint, lag behind its stream and dead letters: a run's figures are final once it ended and every lag is 0.
         */
        get: operations["listProjections"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness */
        get: operations["liveness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness */
        get: operations["readiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus metrics
         * @description Open, or (LL_METRICS_ACCESS=keyed) for a viewer's credential.
         */
        get: operations["prometheusMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The web console */
        get: operations["webConsole"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/console/{file}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A console asset */
        get: operations["consoleAsset"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document */
        get: operations["thisDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/docs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The API reference */
        get: operations["apiReference"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/docs/scalar.js": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The API reference's script */
        get: operations["apiReferenceSScript"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description Every error answer: a code, a sentence, and the field at fault when there is one. */
        Error: {
            error: {
                /** @description What went wrong, for programs: invalid_request, not_found, conflict... */
                code: string;
                /** @description The same, for people. */
                message: string;
                /** @description What is at fault: a dotted path into the body, a parameter, a header, id, body, path. */
                field?: string;
            };
        };
        /** @description A load test (LoadTestView): its spec as written, and its version. */
        LoadTest: {
            id: string;
            tenantId: string;
            name: string;
            description: string | null;
            tags: string[];
            targetUrl: string;
            defaultUsers: number | null;
            defaultSpawnRate: number | null;
            defaultDurationSec: number | null;
            envId: string | null;
            /** @constant */
            status: "Created";
            baselineRunId: string | null;
            /** @description Count of its events: its ETag, what If-Match names. */
            version: number;
            /** @description ISO-8601, UTC */
            createdAt: string;
            createdBy: string;
            /** @description ISO-8601, UTC */
            updatedAt: string;
            updatedBy: string;
        } & {
            [key: string]: unknown;
        };
        /** @description A load test as written: the YAML/JSON file's shape. */
        LoadTestInput: {
            name: string;
            description?: string;
            /** @default [] */
            tags?: string[];
            /** @description an http(s) URL, or one with env placeholders (${NAME}, ${NAME:-default}, {{env.NAME}}) that each run's env fills */
            targetUrl: string;
            /**
             * @description how the test runs: "locust" runs its locustfile with Locust (docs/locust.md)
             * @enum {string}
             */
            engine?: "locust";
            /** @description Locust test source (Python), run by Locust on the workers when engine is locust */
            locustfile?: string;
            requests?: {
                name?: string;
                method: string;
                /** Format: starts_with */
                path: string;
                headers?: {
                    [key: string]: string;
                };
                body?: string;
            }[];
            scenarios?: {
                name: string;
                /** @default 1 */
                weight?: number;
                executor?: {
                    /** @constant */
                    type: "constant-vus";
                    vus: number;
                    durationSec: number;
                    spawnRate?: number;
                    /** @description Seconds, or a duration string ("30s", "1m30s", "500ms"): how long iterations in flight may finish at the stop */
                    gracefulStop?: number | string;
                } | {
                    /** @constant */
                    type: "ramping-vus";
                    /** @default 0 */
                    startVUs?: number;
                    stages: {
                        durationSec: number;
                        target: number;
                    }[];
                    /** @description Seconds, or a duration string ("30s", "1m30s", "500ms"): how long iterations in flight may finish at the stop */
                    gracefulStop?: number | string;
                } | {
                    /** @constant */
                    type: "constant-arrival-rate";
                    rate: number;
                    /** @default 1 */
                    timeUnitSec?: number;
                    durationSec: number;
                    preAllocatedVUs: number;
                    maxVUs?: number;
                    /** @description Seconds, or a duration string ("30s", "1m30s", "500ms"): how long iterations in flight may finish at the stop */
                    gracefulStop?: number | string;
                } | {
                    /** @constant */
                    type: "ramping-arrival-rate";
                    /** @default 0 */
                    startRate?: number;
                    /** @default 1 */
                    timeUnitSec?: number;
                    stages: {
                        durationSec: number;
                        target: number;
                    }[];
                    preAllocatedVUs: number;
                    maxVUs?: number;
                    /** @description Seconds, or a duration string ("30s", "1m30s", "500ms"): how long iterations in flight may finish at the stop */
                    gracefulStop?: number | string;
                } | {
                    /** @constant */
                    type: "per-vu-iterations";
                    vus: number;
                    iterations: number;
                    /** @default 600 */
                    maxDurationSec?: number;
                    /** @description Seconds, or a duration string ("30s", "1m30s", "500ms"): how long iterations in flight may finish at the stop */
                    gracefulStop?: number | string;
                } | {
                    /** @constant */
                    type: "shared-iterations";
                    vus: number;
                    iterations: number;
                    /** @default 600 */
                    maxDurationSec?: number;
                    /** @description Seconds, or a duration string ("30s", "1m30s", "500ms"): how long iterations in flight may finish at the stop */
                    gracefulStop?: number | string;
                };
                /** @default {} */
                variables?: {
                    [key: string]: string;
                };
                data?: {
                    /**
                     * @default sequential
                     * @enum {string}
                     */
                    mode?: "sequential" | "random" | "unique";
                    rows?: {
                        [key: string]: string | number | boolean;
                    }[];
                    csv?: string;
                };
                steps: ({
                    /** @constant */
                    type: "request";
                    name?: string;
                    method?: string;
                    url: string;
                    query?: {
                        [key: string]: string;
                    };
                    headers?: {
                        [key: string]: string;
                    };
                    body?: {
                        json: unknown;
                    } | {
                        form: {
                            [key: string]: string;
                        };
                    } | {
                        raw: string;
                        contentType?: string;
                    };
                    /** @default 60000 */
                    timeoutMs?: number;
                    http?: {
                        /** @enum {string} */
                        version?: "2" | "1.1";
                        tls?: {
                            ca?: string;
                            insecureSkipVerify?: boolean;
                        };
                    };
                    /** @default [] */
                    checks?: ({
                        /** @constant */
                        type: "status";
                        in: number[];
                    } | {
                        /** @constant */
                        type: "jsonPath";
                        path: string;
                        equals?: unknown;
                        exists?: boolean;
                    } | {
                        /** @constant */
                        type: "bodyContains";
                        value: string;
                    } | {
                        /** @constant */
                        type: "header";
                        name: string;
                        matches: string;
                    } | {
                        /** @constant */
                        type: "latency";
                        belowMs: number;
                    })[];
                    /** @default [] */
                    extract?: ({
                        /** @constant */
                        type: "jsonPath";
                        var: string;
                        path: string;
                    } | {
                        /** @constant */
                        type: "regex";
                        var: string;
                        pattern: string;
                        /** @default 1 */
                        group?: number;
                    } | {
                        /** @constant */
                        type: "header";
                        var: string;
                        name: string;
                    })[];
                    group?: string;
                    tags?: {
                        [key: string]: string;
                    };
                } | ({
                    /** @constant */
                    type: "think";
                    /** @constant */
                    distribution: "constant";
                    ms: number;
                    group?: string;
                } | {
                    /** @constant */
                    type: "think";
                    /** @constant */
                    distribution: "uniform";
                    minMs: number;
                    maxMs: number;
                    group?: string;
                } | {
                    /** @constant */
                    type: "think";
                    /** @constant */
                    distribution: "normal";
                    meanMs: number;
                    stddevMs: number;
                    group?: string;
                }) | {
                    /** @constant */
                    type: "ws";
                    name?: string;
                    url: string;
                    headers?: {
                        [key: string]: string;
                    };
                    protocols?: string[];
                    /** @default 10000 */
                    connectTimeoutMs?: number;
                    tls?: {
                        ca?: string;
                        insecureSkipVerify?: boolean;
                    };
                    actions: ({
                        /** @constant */
                        type: "send";
                        text?: string;
                        json?: unknown;
                    } | {
                        /** @constant */
                        type: "expect";
                        name?: string;
                        timeoutMs: number;
                        /** @default [] */
                        checks?: ({
                            /** @constant */
                            type: "jsonPath";
                            path: string;
                            equals?: unknown;
                            exists?: boolean;
                        } | {
                            /** @constant */
                            type: "bodyContains";
                            value: string;
                        } | {
                            /** @constant */
                            type: "regex";
                            pattern: string;
                        })[];
                        /** @default [] */
                        extract?: ({
                            /** @constant */
                            type: "jsonPath";
                            var: string;
                            path: string;
                        } | {
                            /** @constant */
                            type: "regex";
                            var: string;
                            pattern: string;
                            /** @default 1 */
                            group?: number;
                        })[];
                    } | {
                        /** @constant */
                        type: "hold";
                        ms: number;
                        pingEveryMs?: number;
                    } | {
                        /** @constant */
                        type: "close";
                    })[];
                    group?: string;
                    tags?: {
                        [key: string]: string;
                    };
                } | {
                    /** @constant */
                    type: "sse";
                    name?: string;
                    url: string;
                    headers?: {
                        [key: string]: string;
                    };
                    count?: number;
                    timeoutMs?: number;
                    durationMs?: number;
                    /** @default [] */
                    checks?: ({
                        /** @constant */
                        type: "jsonPath";
                        path: string;
                        equals?: unknown;
                        exists?: boolean;
                    } | {
                        /** @constant */
                        type: "bodyContains";
                        value: string;
                    } | {
                        /** @constant */
                        type: "regex";
                        pattern: string;
                    })[];
                    /** @default [] */
                    extract?: ({
                        /** @constant */
                        type: "jsonPath";
                        var: string;
                        path: string;
                    } | {
                        /** @constant */
                        type: "regex";
                        var: string;
                        pattern: string;
                        /** @default 1 */
                        group?: number;
                    })[];
                    tls?: {
                        ca?: string;
                        insecureSkipVerify?: boolean;
                    };
                    group?: string;
                    tags?: {
                        [key: string]: string;
                    };
                } | {
                    /** @constant */
                    type: "grpc";
                    name?: string;
                    target?: string;
                    port?: number;
                    tls?: {
                        ca?: string;
                        insecureSkipVerify?: boolean;
                    };
                    proto: string;
                    service: string;
                    method: string;
                    /** @default {} */
                    message?: {
                        [key: string]: unknown;
                    };
                    metadata?: {
                        [key: string]: string;
                    };
                    /** @default 10000 */
                    deadlineMs?: number;
                    stream?: {
                        count?: number;
                        durationMs?: number;
                    };
                    checks?: ({
                        /** @constant */
                        type: "status";
                        in: number[];
                    } | {
                        /** @constant */
                        type: "jsonPath";
                        path: string;
                        equals?: unknown;
                        exists?: boolean;
                    } | {
                        /** @constant */
                        type: "bodyContains";
                        value: string;
                    } | {
                        /** @constant */
                        type: "regex";
                        pattern: string;
                    })[];
                    /** @default [] */
                    extract?: ({
                        /** @constant */
                        type: "jsonPath";
                        var: string;
                        path: string;
                    } | {
                        /** @constant */
                        type: "regex";
                        var: string;
                        pattern: string;
                        /** @default 1 */
                        group?: number;
                    })[];
                    group?: string;
                    tags?: {
                        [key: string]: string;
                    };
                })[];
            }[];
            workload?: {
                /** @constant */
                type: "constant-vus";
                vus: number;
                durationSec: number;
                spawnRate?: number;
                /** @description Seconds, or a duration string ("30s", "1m30s", "500ms"): how long iterations in flight may finish at the stop */
                gracefulStop?: number | string;
            } | {
                /** @constant */
                type: "ramping-vus";
                /** @default 0 */
                startVUs?: number;
                stages: {
                    durationSec: number;
                    target: number;
                }[];
                /** @description Seconds, or a duration string ("30s", "1m30s", "500ms"): how long iterations in flight may finish at the stop */
                gracefulStop?: number | string;
            } | {
                /** @constant */
                type: "constant-arrival-rate";
                rate: number;
                /** @default 1 */
                timeUnitSec?: number;
                durationSec: number;
                preAllocatedVUs: number;
                maxVUs?: number;
                /** @description Seconds, or a duration string ("30s", "1m30s", "500ms"): how long iterations in flight may finish at the stop */
                gracefulStop?: number | string;
            } | {
                /** @constant */
                type: "ramping-arrival-rate";
                /** @default 0 */
                startRate?: number;
                /** @default 1 */
                timeUnitSec?: number;
                stages: {
                    durationSec: number;
                    target: number;
                }[];
                preAllocatedVUs: number;
                maxVUs?: number;
                /** @description Seconds, or a duration string ("30s", "1m30s", "500ms"): how long iterations in flight may finish at the stop */
                gracefulStop?: number | string;
            } | {
                /** @constant */
                type: "per-vu-iterations";
                vus: number;
                iterations: number;
                /** @default 600 */
                maxDurationSec?: number;
                /** @description Seconds, or a duration string ("30s", "1m30s", "500ms"): how long iterations in flight may finish at the stop */
                gracefulStop?: number | string;
            } | {
                /** @constant */
                type: "shared-iterations";
                vus: number;
                iterations: number;
                /** @default 600 */
                maxDurationSec?: number;
                /** @description Seconds, or a duration string ("30s", "1m30s", "500ms"): how long iterations in flight may finish at the stop */
                gracefulStop?: number | string;
            };
            http?: {
                /** @enum {string} */
                version?: "2" | "1.1";
                tls?: {
                    ca?: string;
                    insecureSkipVerify?: boolean;
                };
            };
            defaultUsers?: number;
            defaultSpawnRate?: number;
            defaultDurationSec?: number;
            maxDurationSec?: number;
            thresholds?: {
                [key: string]: (string | {
                    threshold: string;
                    abortOnFail?: boolean;
                    delayAbortEvalSec?: number;
                    over?: string;
                })[];
            };
            setup?: {
                steps: ({
                    /** @constant */
                    type: "request";
                    name?: string;
                    method?: string;
                    url: string;
                    query?: {
                        [key: string]: string;
                    };
                    headers?: {
                        [key: string]: string;
                    };
                    body?: {
                        json: unknown;
                    } | {
                        form: {
                            [key: string]: string;
                        };
                    } | {
                        raw: string;
                        contentType?: string;
                    };
                    /** @default 60000 */
                    timeoutMs?: number;
                    http?: {
                        /** @enum {string} */
                        version?: "2" | "1.1";
                        tls?: {
                            ca?: string;
                            insecureSkipVerify?: boolean;
                        };
                    };
                    /** @default [] */
                    checks?: ({
                        /** @constant */
                        type: "status";
                        in: number[];
                    } | {
                        /** @constant */
                        type: "jsonPath";
                        path: string;
                        equals?: unknown;
                        exists?: boolean;
                    } | {
                        /** @constant */
                        type: "bodyContains";
                        value: string;
                    } | {
                        /** @constant */
                        type: "header";
                        name: string;
                        matches: string;
                    } | {
                        /** @constant */
                        type: "latency";
                        belowMs: number;
                    })[];
                    /** @default [] */
                    extract?: ({
                        /** @constant */
                        type: "jsonPath";
                        var: string;
                        path: string;
                    } | {
                        /** @constant */
                        type: "regex";
                        var: string;
                        pattern: string;
                        /** @default 1 */
                        group?: number;
                    } | {
                        /** @constant */
                        type: "header";
                        var: string;
                        name: string;
                    })[];
                    group?: string;
                    tags?: {
                        [key: string]: string;
                    };
                } | ({
                    /** @constant */
                    type: "think";
                    /** @constant */
                    distribution: "constant";
                    ms: number;
                    group?: string;
                } | {
                    /** @constant */
                    type: "think";
                    /** @constant */
                    distribution: "uniform";
                    minMs: number;
                    maxMs: number;
                    group?: string;
                } | {
                    /** @constant */
                    type: "think";
                    /** @constant */
                    distribution: "normal";
                    meanMs: number;
                    stddevMs: number;
                    group?: string;
                }))[];
            };
            teardown?: {
                steps: ({
                    /** @constant */
                    type: "request";
                    name?: string;
                    method?: string;
                    url: string;
                    query?: {
                        [key: string]: string;
                    };
                    headers?: {
                        [key: string]: string;
                    };
                    body?: {
                        json: unknown;
                    } | {
                        form: {
                            [key: string]: string;
                        };
                    } | {
                        raw: string;
                        contentType?: string;
                    };
                    /** @default 60000 */
                    timeoutMs?: number;
                    http?: {
                        /** @enum {string} */
                        version?: "2" | "1.1";
                        tls?: {
                            ca?: string;
                            insecureSkipVerify?: boolean;
                        };
                    };
                    /** @default [] */
                    checks?: ({
                        /** @constant */
                        type: "status";
                        in: number[];
                    } | {
                        /** @constant */
                        type: "jsonPath";
                        path: string;
                        equals?: unknown;
                        exists?: boolean;
                    } | {
                        /** @constant */
                        type: "bodyContains";
                        value: string;
                    } | {
                        /** @constant */
                        type: "header";
                        name: string;
                        matches: string;
                    } | {
                        /** @constant */
                        type: "latency";
                        belowMs: number;
                    })[];
                    /** @default [] */
                    extract?: ({
                        /** @constant */
                        type: "jsonPath";
                        var: string;
                        path: string;
                    } | {
                        /** @constant */
                        type: "regex";
                        var: string;
                        pattern: string;
                        /** @default 1 */
                        group?: number;
                    } | {
                        /** @constant */
                        type: "header";
                        var: string;
                        name: string;
                    })[];
                    group?: string;
                    tags?: {
                        [key: string]: string;
                    };
                } | ({
                    /** @constant */
                    type: "think";
                    /** @constant */
                    distribution: "constant";
                    ms: number;
                    group?: string;
                } | {
                    /** @constant */
                    type: "think";
                    /** @constant */
                    distribution: "uniform";
                    minMs: number;
                    maxMs: number;
                    group?: string;
                } | {
                    /** @constant */
                    type: "think";
                    /** @constant */
                    distribution: "normal";
                    meanMs: number;
                    stddevMs: number;
                    group?: string;
                }))[];
            };
            sut?: {
                labels: {
                    [key: string]: string;
                };
            };
            timeline?: {
                atSec: number;
                agent: {
                    [key: string]: string;
                };
                action: string;
                /** @default {} */
                params?: {
                    [key: string]: string | number | boolean;
                };
            }[];
            envId?: string;
            metadata?: {
                [key: string]: components["schemas"]["JsonValue"];
            };
        };
        /** @description any JSON value */
        JsonValue: string | number | boolean | null | components["schemas"]["JsonValue"][] | {
            [key: string]: components["schemas"]["JsonValue"];
        };
        /** @description A run (RunView): its status, parameters, workers, gaps, verdict and last second's metrics. */
        Run: {
            id: string;
            tenantId: string;
            loadTestId: string;
            /** @enum {string} */
            status: "Queued" | "Pending" | "Starting" | "Running" | "Stopping" | "Analyzing" | "Completed" | "Failed" | "Cancelled";
            targetUsers: number;
            spawnRate: number;
            durationSec: number;
            name: string | null;
            envId: string | null;
            /** @description what the test's env placeholders (${NAME}) were filled with, as the run's start gave them: never secrets */
            env: {
                [key: string]: string;
            } | null;
            reason: string | null;
            coverage: number | null;
            degraded: boolean | null;
            /** @enum {string} */
            verdict: "passed" | "failed" | "none" | "pending";
            /** @description ISO-8601, UTC */
            createdAt: string;
            startedAt: string | null;
            finishedAt: string | null;
            version: number;
            /** @description its setup's and teardown's requests, reported apart from the load's metrics; the setup's values are never shown */
            phases: {
                setup?: {
                    workerId: string;
                    /** @description ISO-8601, UTC */
                    at: string;
                    requests: {
                        name: string;
                        method: string;
                        status: number | null;
                        durationMs: number;
                        failure: ("connect" | "timeout" | "reset" | "blocked" | "tls" | "4xx" | "5xx" | "grpc" | "check") | null;
                    }[];
                };
                teardown?: {
                    workerId: string;
                    /** @description ISO-8601, UTC */
                    at: string;
                    requests: {
                        name: string;
                        method: string;
                        status: number | null;
                        durationMs: number;
                        failure: ("connect" | "timeout" | "reset" | "blocked" | "tls" | "4xx" | "5xx" | "grpc" | "check") | null;
                    }[];
                };
            };
            /** @description the tags of its request names (its steps' tags), by name: what its endpoint rows show and {tag:NAME=VALUE} thresholds select */
            requestTags: {
                [key: string]: {
                    [key: string]: string;
                };
            };
        } & {
            [key: string]: unknown;
        };
        /** @description The command was accepted; its outcome is not yet projected (or not yet known). */
        Accepted: {
            id: string;
            commandId: string;
            /** @constant */
            status: "accepted";
            seq?: number;
        };
        /** @description Totals and exact percentiles (ms) of a run or the part asked for, overall and per request name. */
        Aggregate: {
            runId: string;
            from: string | null;
            to: string | null;
            seconds: number;
            requests: number;
            failures: number;
            errorRate: number;
            rps: number;
            latency: {
                count: number;
                min: number;
                max: number;
                mean: number;
                p50: number;
                p90: number;
                p95: number;
                p99: number;
                p999: number;
            };
            serviceTime: {
                count: number;
                min: number;
                max: number;
                mean: number;
                p50: number;
                p90: number;
                p95: number;
                p99: number;
                p999: number;
            } | null;
            iterations: number;
            endpoints: components["schemas"]["Endpoint"][];
            /** @description the load generator's own health over these seconds, per worker (worst second's figures): saturatedSeconds > 0 means some seconds' load or latencies were the generator's, not the target's; absent when no window carried it */
            generator?: {
                saturatedSeconds: number;
                workers: {
                    workerId: string;
                    /** @description seconds whose windows carried the generator's health */
                    seconds: number;
                    saturatedSeconds: number;
                    /** @description the first saturated seconds, at most 20 */
                    saturated: string[];
                    loopDelayP95Ms: number;
                    loopDelayMaxMs: number;
                    /** @description null: no open executor ran on the worker */
                    timerSlipP95Ms: number | null;
                    timerSlipMaxMs: number | null;
                    gcPauseMs: number;
                    busy: number;
                }[];
            };
        } & {
            [key: string]: unknown;
        };
        Endpoint: {
            name: string;
            method: string;
            protocol?: string;
            tags?: {
                [key: string]: string;
            };
            messagesIn?: number;
            messagesOut?: number;
            requests: number;
            failures: number;
            errorRate: number;
            rps: number;
            bytesIn: number;
            bytesOut: number;
            interrupted: number;
            latency: {
                count: number;
                min: number;
                max: number;
                mean: number;
                p50: number;
                p90: number;
                p95: number;
                p99: number;
                p999: number;
            };
            serviceTime: {
                count: number;
                min: number;
                max: number;
                mean: number;
                p50: number;
                p90: number;
                p95: number;
                p99: number;
                p999: number;
            } | null;
            failuresByKind: {
                [key: string]: number;
            };
            statusCodes: {
                [key: string]: number;
            };
        };
        /** @description The percentile → latency curve of a range, and each second's p50 and p99. */
        Distribution: {
            runId: string;
            requests: number;
            percentiles: {
                percentile: number;
                latencyMs: number;
            }[];
            points: ({
                /** @description ISO-8601, UTC */
                time: string;
                requests: number;
                p50: number;
                p99: number;
            } & {
                [key: string]: unknown;
            })[];
        } & {
            [key: string]: unknown;
        };
        /** @description The versioned JSON report (docs/reports.md). */
        RunReport: {
            /** @constant */
            kind: "loadline.run-report";
            /** @constant */
            version: 1;
            /** Format: date-time */
            generatedAt: string;
            run: {
                id: string;
                tenantId: string;
                loadTestId: string;
                /** @enum {string} */
                status: "Queued" | "Pending" | "Starting" | "Running" | "Stopping" | "Analyzing" | "Completed" | "Failed" | "Cancelled";
                /** @enum {string} */
                verdict: "passed" | "failed" | "none" | "pending";
                reason: string | null;
                stopReason: ("requested" | "duration" | "threshold") | null;
                degraded: boolean | null;
                coverage: number | null;
                targetUsers: number;
                spawnRate: number;
                durationSec: number;
                laneCount: number;
                /** Format: date-time */
                createdAt: string;
                startedAt: string | null;
                finishedAt: string | null;
            };
            test: {
                id: string;
                name: string;
                description: string | null;
                tags: string[];
                targetUrl: string;
                version: number;
                /** Format: date-time */
                updatedAt: string;
                definition: {
                    [key: string]: unknown;
                };
            } | null;
            thresholds: {
                metric: string;
                expression: string;
                observed: number | null;
                passed: boolean;
                abortOnFail: boolean;
                over?: string;
            }[];
            summary: {
                from: string | null;
                to: string | null;
                seconds: number;
                requests: number;
                failures: number;
                errorRate: number;
                rps: number;
                bytesIn: number;
                bytesOut: number;
                interrupted: number;
                latency: {
                    count: number;
                    min: number;
                    max: number;
                    mean: number;
                    p50: number;
                    p90: number;
                    p95: number;
                    p99: number;
                    p999: number;
                };
                serviceTime: {
                    count: number;
                    min: number;
                    max: number;
                    mean: number;
                    p50: number;
                    p90: number;
                    p95: number;
                    p99: number;
                    p999: number;
                } | null;
                failuresByKind: {
                    [key: string]: number;
                };
                statusCodes: {
                    [key: string]: number;
                };
                iterations: number;
                droppedIterations: number;
                interruptedIterations: number;
            };
            checks: {
                passed: number;
                failed: number;
                requests: {
                    name: string;
                    method: string;
                    checks: string[];
                    requests: number;
                    failed: number;
                }[];
            };
            endpoints: {
                name: string;
                method: string;
                protocol?: string;
                tags?: {
                    [key: string]: string;
                };
                messagesIn?: number;
                messagesOut?: number;
                requests: number;
                failures: number;
                errorRate: number;
                rps: number;
                bytesIn: number;
                bytesOut: number;
                interrupted: number;
                latency: {
                    count: number;
                    min: number;
                    max: number;
                    mean: number;
                    p50: number;
                    p90: number;
                    p95: number;
                    p99: number;
                    p999: number;
                };
                serviceTime: {
                    count: number;
                    min: number;
                    max: number;
                    mean: number;
                    p50: number;
                    p90: number;
                    p95: number;
                    p99: number;
                    p999: number;
                } | null;
                failuresByKind: {
                    [key: string]: number;
                };
                statusCodes: {
                    [key: string]: number;
                };
            }[];
            timeseries: {
                stepSec: number;
                points: {
                    /** Format: date-time */
                    time: string;
                    requests: number;
                    failures: number;
                    rps: number;
                    errorRate: number;
                    p50: number;
                    p90: number;
                    p95: number;
                    p99: number;
                    p999: number;
                    min: number;
                    max: number;
                    mean: number;
                    users: number;
                    interrupted: number;
                    interruptedIterations: number;
                }[];
            };
            latencyDistribution: {
                requests: number;
                percentiles: {
                    percentile: number;
                    latencyMs: number;
                }[];
            };
            workers: {
                workerId: string;
                lanes: number[];
                vus: number;
                arrivalRate: number;
                /** @enum {string} */
                state: "assigned" | "ready" | "stopped" | "lost";
                /** Format: date-time */
                assignedAt: string;
            }[];
            gaps: {
                workerId: string;
                lanes: number[];
                /** Format: date-time */
                lastSeenAt: string;
                /** Format: date-time */
                lostAt: string;
                reassignedAt: string | null;
                reassignedTo: string[];
            }[];
            /** @description the load generator's own health over these seconds, per worker (worst second's figures): saturatedSeconds > 0 means some seconds' load or latencies were the generator's, not the target's; absent when no window carried it */
            generator?: {
                saturatedSeconds: number;
                workers: {
                    workerId: string;
                    /** @description seconds whose windows carried the generator's health */
                    seconds: number;
                    saturatedSeconds: number;
                    /** @description the first saturated seconds, at most 20 */
                    saturated: string[];
                    loopDelayP95Ms: number;
                    loopDelayMaxMs: number;
                    /** @description null: no open executor ran on the worker */
                    timerSlipP95Ms: number | null;
                    timerSlipMaxMs: number | null;
                    gcPauseMs: number;
                    busy: number;
                }[];
            };
        };
        /** @description A schedule of runs of a load test, with its next fire times. */
        Schedule: {
            id: string;
            loadTestId: string;
            cron: string;
            timezone: string;
            enabled: boolean;
            nextFireTimes: string[];
            lastRunId: string | null;
            version: number;
        } & {
            [key: string]: unknown;
        };
        /** @description A subscription of the tenant's: where its events are delivered. Never its secret. */
        Webhook: {
            id: string;
            url: string;
            events: string[];
            /** @enum {string} */
            format: "loadline" | "slack";
            enabled: boolean;
            /** @description ISO-8601, UTC */
            secretSetAt: string;
            version: number;
        } & {
            [key: string]: unknown;
        };
        /** @description One event's delivery to one subscription, with each attempt. */
        WebhookDelivery: {
            /** @description The delivery id: the Loadline-Webhook-Id header, the same on every attempt. */
            id: string;
            eventId: string;
            eventType: string;
            /** @enum {string} */
            state: "pending" | "delivered" | "failed";
            attempts: number;
            lastStatusCode: number | null;
            lastError: string | null;
            nextAttemptAt: string | null;
            deliveredAt: string | null;
            attemptLog: ({
                attempt: number;
                /** @description ISO-8601, UTC */
                at: string;
                statusCode: number | null;
                error: string | null;
                durationMs: number;
            } & {
                [key: string]: unknown;
            })[];
        } & {
            [key: string]: unknown;
        };
        /** @description A benchmark's run: once completed, its throughput, mean latency and cost. */
        Benchmark: {
            runId: string;
            status: string;
            jobs: number;
            links: {
                [key: string]: string;
            };
        } & {
            [key: string]: unknown;
        };
        /** @description A control agent on a host of the system under test. */
        Agent: {
            agentId: string;
            host: string | null;
            version: string | null;
            labels: {
                [key: string]: string;
            };
            /** @description ISO-8601, UTC */
            lastSeenAt: string;
            /** @enum {string} */
            state: "active" | "lost";
        } & {
            [key: string]: unknown;
        };
        /** @description An API key as its tenant's admins see it: never its secret. */
        ApiKey: {
            id: string;
            tenantId: string;
            name: string;
            /** @enum {string} */
            role: "viewer" | "operator" | "editor" | "admin";
            expiresAt: string | null;
            /** @description ISO-8601, UTC */
            createdAt: string;
            revokedAt: string | null;
        } & {
            [key: string]: unknown;
        };
        /** @description A secret, by name: never its value. */
        Secret: {
            name: string;
            version: number;
            /** @description ISO-8601, UTC */
            updatedAt: string;
            updatedBy: string;
        } & {
            [key: string]: unknown;
        };
        /** @description A tenant's settings as set: a null part is the platform's default. */
        TenantSettings: {
            tenantId: string;
            allow: string[] | null;
            version: number;
        } & {
            [key: string]: unknown;
        };
        ProjectionStatus: {
            name: string;
            stream: string;
            checkpoint: number;
            /** @description Events of its stream not yet applied. */
            lag: number;
            deadLetters: number;
            /** @enum {string} */
            state: "ok" | "retrying";
        } & {
            [key: string]: unknown;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listLoadTests: {
        parameters: {
            query?: {
                limit?: number;
                offset?: number;
                tag?: string;
                envId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of the tenant's load tests. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["LoadTest"][];
                        total: number;
                        limit: number;
                        offset: number;
                    };
                };
            };
            /** @description A query parameter was refused: `field` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createLoadTest: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LoadTestInput"];
            };
        };
        responses: {
            /** @description Created. */
            201: {
                headers: {
                    /** @description The stream sequence of the write's last event. */
                    "X-Event-Seq"?: string;
                    /** @description Its version. */
                    ETag?: string;
                    /** @description The load test's path. */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LoadTest"];
                };
            };
            /** @description The body, or a parameter, was refused: `field` names it (`invalid_request`, `invalid_json`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is over the size limit (1 MiB by default). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body was not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getLoadTest: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The load test. */
            200: {
                headers: {
                    /** @description Its version. */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LoadTest"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    replaceLoadTest: {
        parameters: {
            query?: never;
            header?: {
                /** @description The version last seen (`"3"`): the write is refused with a 412 when it is no longer current. */
                "If-Match"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LoadTestInput"];
            };
        };
        responses: {
            /** @description Replaced. */
            200: {
                headers: {
                    /** @description The stream sequence of the write's last event. */
                    "X-Event-Seq"?: string;
                    /** @description Its version. */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LoadTest"];
                };
            };
            /** @description The body, or a parameter, was refused: `field` names it (`invalid_request`, `invalid_json`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description If-Match names a version that is no longer current. */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is over the size limit (1 MiB by default). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body was not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteLoadTest: {
        parameters: {
            query?: never;
            header?: {
                /** @description The version last seen (`"3"`): the write is refused with a 412 when it is no longer current. */
                "If-Match"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done. */
            204: {
                headers: {
                    /** @description The stream sequence of the write's last event. */
                    "X-Event-Seq"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description If-Match names a version that is no longer current. */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    setBaselineLoadTest: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    runId: string;
                };
            };
        };
        responses: {
            /** @description The load test with its baseline. */
            200: {
                headers: {
                    /** @description The stream sequence of the write's last event. */
                    "X-Event-Seq"?: string;
                    /** @description Its version. */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LoadTest"];
                };
            };
            /** @description The body, or a parameter, was refused: `field` names it (`invalid_request`, `invalid_json`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is over the size limit (1 MiB by default). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body was not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listRuns: {
        parameters: {
            query?: {
                limit?: number;
                offset?: number;
                status?: "Queued" | "Pending" | "Starting" | "Running" | "Stopping" | "Analyzing" | "Completed" | "Failed" | "Cancelled";
                loadTestId?: string;
                envId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of the tenant's runs, newest first. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Run"][];
                        total: number;
                        limit: number;
                        offset: number;
                    };
                };
            };
            /** @description A query parameter was refused: `field` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The run. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    startRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    targetUsers?: number;
                    spawnRate?: number;
                    durationSec?: number;
                    workers?: number;
                    workerSelector?: {
                        [key: string]: string;
                    };
                    thresholds?: {
                        [key: string]: (string | {
                            threshold: string;
                            abortOnFail?: boolean;
                            delayAbortEvalSec?: number;
                            over?: string;
                        })[];
                    };
                    durationSeconds?: number;
                    name?: string;
                    envId?: string;
                    metadata?: {
                        [key: string]: components["schemas"]["JsonValue"];
                    };
                    /** @description values of the test's env placeholders by name: at most 100, each at most 4096 bytes (UTF-8), no NUL; recorded in the run in clear, so never secrets (a test names those as {{secrets.NAME}}) */
                    env?: {
                        [key: string]: string;
                    };
                };
            };
        };
        responses: {
            /** @description Started (or queued). */
            201: {
                headers: {
                    /** @description The stream sequence of the write's last event. */
                    "X-Event-Seq"?: string;
                    /** @description The run's path. */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description Accepted, not yet projected: a GET may not show it yet (`minSeq=seq` waits). */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Accepted"];
                };
            };
            /** @description The body, or a parameter, was refused: `field` names it (`invalid_request`, `invalid_json`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is over the size limit (1 MiB by default). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body was not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    stopRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The stop is recorded: the run as it is now, and `success: true`. */
            200: {
                headers: {
                    /** @description The stream sequence of the write's last event. */
                    "X-Event-Seq"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        tenantId: string;
                        loadTestId: string;
                        /** @enum {string} */
                        status: "Queued" | "Pending" | "Starting" | "Running" | "Stopping" | "Analyzing" | "Completed" | "Failed" | "Cancelled";
                        targetUsers: number;
                        spawnRate: number;
                        durationSec: number;
                        name: string | null;
                        envId: string | null;
                        /** @description what the test's env placeholders (${NAME}) were filled with, as the run's start gave them: never secrets */
                        env: {
                            [key: string]: string;
                        } | null;
                        reason: string | null;
                        coverage: number | null;
                        degraded: boolean | null;
                        /** @enum {string} */
                        verdict: "passed" | "failed" | "none" | "pending";
                        /** @description ISO-8601, UTC */
                        createdAt: string;
                        startedAt: string | null;
                        finishedAt: string | null;
                        version: number;
                        /** @description its setup's and teardown's requests, reported apart from the load's metrics; the setup's values are never shown */
                        phases: {
                            setup?: {
                                workerId: string;
                                /** @description ISO-8601, UTC */
                                at: string;
                                requests: {
                                    name: string;
                                    method: string;
                                    status: number | null;
                                    durationMs: number;
                                    failure: ("connect" | "timeout" | "reset" | "blocked" | "tls" | "4xx" | "5xx" | "grpc" | "check") | null;
                                }[];
                            };
                            teardown?: {
                                workerId: string;
                                /** @description ISO-8601, UTC */
                                at: string;
                                requests: {
                                    name: string;
                                    method: string;
                                    status: number | null;
                                    durationMs: number;
                                    failure: ("connect" | "timeout" | "reset" | "blocked" | "tls" | "4xx" | "5xx" | "grpc" | "check") | null;
                                }[];
                            };
                        };
                        /** @description the tags of its request names (its steps' tags), by name: what its endpoint rows show and {tag:NAME=VALUE} thresholds select */
                        requestTags: {
                            [key: string]: {
                                [key: string]: string;
                            };
                        };
                        /** @constant */
                        success: true;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Accepted, not yet projected: a GET may not show it yet (`minSeq=seq` waits). */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Accepted"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflict: the run has already ended. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    pauseRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The run as it is now. */
            200: {
                headers: {
                    /** @description The stream sequence of the write's last event. */
                    "X-Event-Seq"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description Accepted, not yet projected: a GET may not show it yet (`minSeq=seq` waits). */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Accepted"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflict: the run is not Running. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    resumeRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The run as it is now. */
            200: {
                headers: {
                    /** @description The stream sequence of the write's last event. */
                    "X-Event-Seq"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description Accepted, not yet projected: a GET may not show it yet (`minSeq=seq` waits). */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Accepted"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflict: the run is not Paused. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    scaleRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    vus?: number;
                    rate?: number;
                };
            };
        };
        responses: {
            /** @description The run as it is now. */
            200: {
                headers: {
                    /** @description The stream sequence of the write's last event. */
                    "X-Event-Seq"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description Accepted, not yet projected: a GET may not show it yet (`minSeq=seq` waits). */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Accepted"];
                };
            };
            /** @description The body, or a parameter, was refused: `field` names it (`invalid_request`, `invalid_json`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflict: the run is not Running. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is over the size limit (1 MiB by default). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body was not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getTimeseriesRun: {
        parameters: {
            query?: {
                from?: string;
                to?: string;
                requests?: string[];
                workers?: string[];
                step?: "1s" | "10s" | "1m" | "auto";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A point per step: rps, errorRate, p50...p999, min, max, mean, users (seed 001's dataPoints and summary beside). */
            200: {
                headers: {
                    /** @description Strong: If-None-Match answers 304 while it holds. */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        runId: string;
                        step: string;
                        points: {
                            [key: string]: unknown;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description A query parameter was refused: `field` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getAggregateRun: {
        parameters: {
            query?: {
                from?: string;
                to?: string;
                requests?: string[];
                workers?: string[];
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The aggregate. */
            200: {
                headers: {
                    /** @description Strong: If-None-Match answers 304 while it holds. */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Aggregate"];
                };
            };
            /** @description A query parameter was refused: `field` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getEndpointsRun: {
        parameters: {
            query?: {
                from?: string;
                to?: string;
                requests?: string[];
                workers?: string[];
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The aggregate per request name. */
            200: {
                headers: {
                    /** @description Strong: If-None-Match answers 304 while it holds. */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        runId: string;
                        endpoints: components["schemas"]["Endpoint"][];
                    };
                };
            };
            /** @description A query parameter was refused: `field` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getLatencyDistributionRun: {
        parameters: {
            query?: {
                from?: string;
                to?: string;
                requests?: string[];
                workers?: string[];
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The percentile curve, and each second's p50 and p99. */
            200: {
                headers: {
                    /** @description Strong: If-None-Match answers 304 while it holds. */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Distribution"];
                };
            };
            /** @description A query parameter was refused: `field` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getScatterRun: {
        parameters: {
            query?: {
                from?: string;
                to?: string;
                requests?: string[];
                workers?: string[];
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The distribution with `dataPoints`. */
            200: {
                headers: {
                    /** @description Strong: If-None-Match answers 304 while it holds. */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Distribution"];
                };
            };
            /** @description A query parameter was refused: `field` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getReportRun: {
        parameters: {
            query?: {
                format?: "html" | "json" | "csv" | "junit" | "pdf";
                table?: "all" | "timeseries" | "endpoints";
                compare?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The report. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                    "application/json": components["schemas"]["RunReport"];
                    "text/csv": string;
                    "application/xml": string;
                    "application/pdf": unknown;
                };
            };
            /** @description A query parameter was refused: `field` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description format=pdf where no headless Chromium can print it. */
            501: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    compareRun: {
        parameters: {
            query?: {
                to?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The comparison. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description A query parameter was refused: `field` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    followRunLive: {
        parameters: {
            query?: {
                endpoints?: "true" | "false";
                lastEventId?: string;
            };
            header?: {
                /** @description The id of the last event taken: the stream resumes after it, without loss or repeats. */
                "Last-Event-ID"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Server-Sent Events: the run's state, each merged second (overall and per endpoint), then `end`. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            /** @description A query parameter was refused: `field` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    followTenantSRunsLive: {
        parameters: {
            query?: {
                lastEventId?: string;
            };
            header?: {
                /** @description The id of the last event taken: the stream resumes after it, without loss or repeats. */
                "Last-Event-ID"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Server-Sent Events: the tenant's runs as they change. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            /** @description A query parameter was refused: `field` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listSchedules: {
        parameters: {
            query?: {
                limit?: number;
                offset?: number;
                loadTestId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of the tenant's schedules, newest first. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Schedule"][];
                        total: number;
                        limit: number;
                        offset: number;
                    };
                };
            };
            /** @description A query parameter was refused: `field` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listSchedulesLoadTest: {
        parameters: {
            query?: {
                limit?: number;
                offset?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of its schedules, newest first. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Schedule"][];
                        total: number;
                        limit: number;
                        offset: number;
                    };
                };
            };
            /** @description A query parameter was refused: `field` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    scheduleRunsLoadTest: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    cron: string;
                    /** @default UTC */
                    timezone?: string;
                    /** @default {} */
                    overrides?: {
                        targetUsers?: number;
                        spawnRate?: number;
                        durationSec?: number;
                        workers?: number;
                        workerSelector?: {
                            [key: string]: string;
                        };
                        thresholds?: {
                            [key: string]: (string | {
                                threshold: string;
                                abortOnFail?: boolean;
                                delayAbortEvalSec?: number;
                                over?: string;
                            })[];
                        };
                    };
                    /** @default true */
                    enabled?: boolean;
                    /**
                     * @default skip
                     * @enum {string}
                     */
                    missedFire?: "skip" | "run-once";
                    /**
                     * @default skip
                     * @enum {string}
                     */
                    overlap?: "skip" | "queue" | "allow";
                };
            };
        };
        responses: {
            /** @description Created. */
            201: {
                headers: {
                    /** @description The stream sequence of the write's last event. */
                    "X-Event-Seq"?: string;
                    /** @description Its version. */
                    ETag?: string;
                    /** @description The schedule's path. */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Schedule"];
                };
            };
            /** @description Accepted, not yet projected: a GET may not show it yet (`minSeq=seq` waits). */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Accepted"];
                };
            };
            /** @description The body, or a parameter, was refused: `field` names it (`invalid_request`, `invalid_json`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is over the size limit (1 MiB by default). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body was not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The schedule, with its next fire times. */
            200: {
                headers: {
                    /** @description Its version. */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Schedule"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteSchedule: {
        parameters: {
            query?: never;
            header?: {
                /** @description The version last seen (`"3"`): the write is refused with a 412 when it is no longer current. */
                "If-Match"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Accepted, not yet projected: a GET may not show it yet (`minSeq=seq` waits). */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Accepted"];
                };
            };
            /** @description Done. */
            204: {
                headers: {
                    /** @description The stream sequence of the write's last event. */
                    "X-Event-Seq"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description If-Match names a version that is no longer current. */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    changeSchedule: {
        parameters: {
            query?: never;
            header?: {
                /** @description The version last seen (`"3"`): the write is refused with a 412 when it is no longer current. */
                "If-Match"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    cron?: string;
                    timezone?: string;
                    overrides?: {
                        targetUsers?: number;
                        spawnRate?: number;
                        durationSec?: number;
                        workers?: number;
                        workerSelector?: {
                            [key: string]: string;
                        };
                        thresholds?: {
                            [key: string]: (string | {
                                threshold: string;
                                abortOnFail?: boolean;
                                delayAbortEvalSec?: number;
                                over?: string;
                            })[];
                        };
                    };
                    enabled?: boolean;
                    /** @enum {string} */
                    missedFire?: "skip" | "run-once";
                    /** @enum {string} */
                    overlap?: "skip" | "queue" | "allow";
                };
            };
        };
        responses: {
            /** @description Changed. */
            200: {
                headers: {
                    /** @description The stream sequence of the write's last event. */
                    "X-Event-Seq"?: string;
                    /** @description Its version. */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Schedule"];
                };
            };
            /** @description Accepted, not yet projected: a GET may not show it yet (`minSeq=seq` waits). */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Accepted"];
                };
            };
            /** @description The body, or a parameter, was refused: `field` names it (`invalid_request`, `invalid_json`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description If-Match names a version that is no longer current. */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is over the size limit (1 MiB by default). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body was not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listWebhooks: {
        parameters: {
            query?: {
                limit?: number;
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of the tenant's subscriptions. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Webhook"][];
                        total: number;
                        limit: number;
                        offset: number;
                    };
                };
            };
            /** @description A query parameter was refused: `field` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    subscribeURLToEvents: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    url: string;
                    events: ("run.started" | "run.completed" | "run.failed" | "run.cancelled" | "run.verdict-recorded" | "run.threshold-crossed" | "run.worker-lost" | "agent.action-completed" | "agent.action-failed")[];
                    /** @default {} */
                    filters?: {
                        loadTestId?: string;
                        tags?: string[];
                    };
                    /**
                     * @default loadline
                     * @enum {string}
                     */
                    format?: "loadline" | "slack";
                    /** @default true */
                    enabled?: boolean;
                    description?: string;
                };
            };
        };
        responses: {
            /** @description Created, with its secret. */
            201: {
                headers: {
                    /** @description The stream sequence of the write's last event. */
                    "X-Event-Seq"?: string;
                    /** @description Its version. */
                    ETag?: string;
                    /** @description The subscription's path. */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        url: string;
                        events: string[];
                        /** @enum {string} */
                        format: "loadline" | "slack";
                        enabled: boolean;
                        /** @description ISO-8601, UTC */
                        secretSetAt: string;
                        version: number;
                        /** @description The signing secret (`whsec_…`): shown this once, at creation or rotation. */
                        secret: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Accepted, not yet projected: a GET may not show it yet (`minSeq=seq` waits). */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Accepted"];
                };
            };
            /** @description The body, or a parameter, was refused: `field` names it (`invalid_request`, `invalid_json`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is over the size limit (1 MiB by default). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body was not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The subscription (never its secret). */
            200: {
                headers: {
                    /** @description Its version. */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Webhook"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteWebhook: {
        parameters: {
            query?: never;
            header?: {
                /** @description The version last seen (`"3"`): the write is refused with a 412 when it is no longer current. */
                "If-Match"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Accepted, not yet projected: a GET may not show it yet (`minSeq=seq` waits). */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Accepted"];
                };
            };
            /** @description Done. */
            204: {
                headers: {
                    /** @description The stream sequence of the write's last event. */
                    "X-Event-Seq"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description If-Match names a version that is no longer current. */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    changeWebhook: {
        parameters: {
            query?: never;
            header?: {
                /** @description The version last seen (`"3"`): the write is refused with a 412 when it is no longer current. */
                "If-Match"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    url?: string;
                    events?: ("run.started" | "run.completed" | "run.failed" | "run.cancelled" | "run.verdict-recorded" | "run.threshold-crossed" | "run.worker-lost" | "agent.action-completed" | "agent.action-failed")[];
                    filters?: {
                        loadTestId?: string;
                        tags?: string[];
                    };
                    /** @enum {string} */
                    format?: "loadline" | "slack";
                    enabled?: boolean;
                    description?: string;
                    rotateSecret?: boolean;
                };
            };
        };
        responses: {
            /** @description Changed (with the new secret when rotated). */
            200: {
                headers: {
                    /** @description The stream sequence of the write's last event. */
                    "X-Event-Seq"?: string;
                    /** @description Its version. */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Webhook"];
                };
            };
            /** @description Accepted, not yet projected: a GET may not show it yet (`minSeq=seq` waits). */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Accepted"];
                };
            };
            /** @description The body, or a parameter, was refused: `field` names it (`invalid_request`, `invalid_json`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description If-Match names a version that is no longer current. */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is over the size limit (1 MiB by default). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body was not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listWebhookSDeliveries: {
        parameters: {
            query?: {
                limit?: number;
                offset?: number;
                state?: "pending" | "delivered" | "failed";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of its deliveries. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["WebhookDelivery"][];
                        total: number;
                        limit: number;
                        offset: number;
                    };
                };
            };
            /** @description A query parameter was refused: `field` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    redeliverDelivery: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                deliveryId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Pending again. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDelivery"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    sendTestDelivery: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Queued. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id?: string;
                        eventId: string;
                        eventType: string;
                        /** @constant */
                        state: "pending";
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    runBenchmark: {
        parameters: {
            query?: {
                wait?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    loadTestId: string;
                    jobs?: number;
                    num_jobs?: number;
                    concurrency?: number;
                    maxDurationSec?: number;
                };
            };
        };
        responses: {
            /** @description Completed within `wait`. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Benchmark"];
                };
            };
            /** @description Started, not yet complete. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Benchmark"];
                };
            };
            /** @description The body, or a parameter, was refused: `field` names it (`invalid_request`, `invalid_json`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is over the size limit (1 MiB by default). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body was not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getBenchmark: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The benchmark's figures (or progress). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Benchmark"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listAgents: {
        parameters: {
            query?: {
                label?: string[];
                state?: "active" | "lost";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The agents. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Agent"][];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description A query parameter was refused: `field` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getAgent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The agent, its last telemetry and its recent actions. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Agent"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listActionsAgent: {
        parameters: {
            query?: {
                limit?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Its actions, newest first. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        agentId: string;
                        items: {
                            [key: string]: unknown;
                        }[];
                        limit: number;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description A query parameter was refused: `field` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    askAgentForAction: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                name: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    params?: {
                        [key: string]: string | number | boolean;
                    };
                    timeoutSec?: number;
                };
            };
        };
        responses: {
            /** @description Requested (or queued until the orchestrator is back). */
            202: {
                headers: {
                    /** @description The stream sequence of the write's last event. */
                    "X-Event-Seq"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        actionId: string;
                        agentId: string;
                        action: string;
                        /** @enum {string} */
                        status: "requested" | "queued";
                    };
                };
            };
            /** @description The body, or a parameter, was refused: `field` names it (`invalid_request`, `invalid_json`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is over the size limit (1 MiB by default). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body was not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSystemUnderTestRun: {
        parameters: {
            query?: {
                series?: string[];
                agent?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The agents and their series. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        runId: string;
                        startedAt: string | null;
                        agents: {
                            [key: string]: unknown;
                        }[];
                        series: {
                            [key: string]: unknown;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description A query parameter was refused: `field` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such run for the caller's tenant. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listAgentActionsRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The actions its timeline fired, with their outcomes. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        runId: string;
                        startedAt: string | null;
                        items: {
                            [key: string]: unknown;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    whoAmI: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The credential's principal. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        tenantId: string;
                        actor: string;
                        /** @enum {string} */
                        role: "viewer" | "operator" | "editor" | "admin";
                        platformAdmin: boolean;
                    };
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listAPIKeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The tenant's keys, never their secrets. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["ApiKey"][];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createAPIKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    /** @enum {string} */
                    role: "viewer" | "operator" | "editor" | "admin";
                    /** Format: date-time */
                    expiresAt?: string;
                };
            };
        };
        responses: {
            /** @description Created: `key` is shown this once. */
            201: {
                headers: {
                    /** @description The stream sequence of the write's last event. */
                    "X-Event-Seq"?: string;
                    /** @description The key's path. */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        tenantId: string;
                        name: string;
                        /** @enum {string} */
                        role: "viewer" | "operator" | "editor" | "admin";
                        expiresAt: string | null;
                        /** @description ISO-8601, UTC */
                        createdAt: string;
                        revokedAt: string | null;
                        /** @description The key itself: shown this once. */
                        key: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Accepted, not yet projected: a GET may not show it yet (`minSeq=seq` waits). */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Accepted"];
                };
            };
            /** @description The body, or a parameter, was refused: `field` names it (`invalid_request`, `invalid_json`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is over the size limit (1 MiB by default). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body was not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    revokeAPIKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Accepted, not yet projected: a GET may not show it yet (`minSeq=seq` waits). */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Accepted"];
                };
            };
            /** @description Done. */
            204: {
                headers: {
                    /** @description The stream sequence of the write's last event. */
                    "X-Event-Seq"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listSecrets: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The tenant's secrets, by name: never their values. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Secret"][];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    setSecret: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    value: string;
                };
            };
        };
        responses: {
            /** @description Set. */
            200: {
                headers: {
                    /** @description The stream sequence of the write's last event. */
                    "X-Event-Seq"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Secret"];
                };
            };
            /** @description Accepted, not yet projected: a GET may not show it yet (`minSeq=seq` waits). */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Accepted"];
                };
            };
            /** @description A bad name or value. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is over the size limit (1 MiB by default). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body was not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteSecret: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Accepted, not yet projected: a GET may not show it yet (`minSeq=seq` waits). */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Accepted"];
                };
            };
            /** @description Done. */
            204: {
                headers: {
                    /** @description The stream sequence of the write's last event. */
                    "X-Event-Seq"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A bad name. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getTenantSSettings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description As set; a null part is the platform's default. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TenantSettings"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    setTenantSTargetAllowList: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    allow: string[];
                };
            };
        };
        responses: {
            /** @description The tenant's settings. */
            200: {
                headers: {
                    /** @description The stream sequence of the write's last event. */
                    "X-Event-Seq"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TenantSettings"];
                };
            };
            /** @description Accepted, not yet projected: a GET may not show it yet (`minSeq=seq` waits). */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Accepted"];
                };
            };
            /** @description The body, or a parameter, was refused: `field` names it (`invalid_request`, `invalid_json`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is over the size limit (1 MiB by default). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body was not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    readAuditLog: {
        parameters: {
            query?: {
                actor?: string;
                type?: string;
                from?: string;
                to?: string;
                after?: number;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of the audit log. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: ({
                            seq: number;
                            eventId: string;
                            type: string;
                            aggregateId: string;
                            actor: string;
                            /** @description ISO-8601, UTC */
                            time: string;
                        } & {
                            [key: string]: unknown;
                        })[];
                        next: number | null;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description A query parameter was refused: `field` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listWorkers: {
        parameters: {
            query?: {
                state?: "idle" | "busy" | "draining" | "lost";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The workers. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        workers: ({
                            workerId: string;
                            /** @enum {string} */
                            state: "idle" | "busy" | "draining" | "lost";
                        } & {
                            [key: string]: unknown;
                        })[];
                    };
                };
            };
            /** @description A query parameter was refused: `field` names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    setTenantSLimits: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                tenant: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    quotas?: {
                        maxVUs?: number;
                        maxArrivalRate?: number;
                        maxDurationSec?: number;
                        maxConcurrentRuns?: number;
                        maxQueuedRuns?: number;
                        maxQueueWaitSec?: number;
                        maxLoadTests?: number;
                    };
                    loopback?: boolean;
                    privateNetworks?: boolean;
                };
            };
        };
        responses: {
            /** @description The tenant's settings. */
            200: {
                headers: {
                    /** @description The stream sequence of the write's last event. */
                    "X-Event-Seq"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TenantSettings"];
                };
            };
            /** @description Accepted, not yet projected: a GET may not show it yet (`minSeq=seq` waits). */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Accepted"];
                };
            };
            /** @description The body, or a parameter, was refused: `field` names it (`invalid_request`, `invalid_json`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource for the caller's tenant (`field: id`), or an id that cannot be one. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is over the size limit (1 MiB by default). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body was not sent as `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listProjections: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The projections. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["ProjectionStatus"][];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description No credential, or one not accepted (`WWW-Authenticate: Bearer`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The credential's role is below the operation's `x-loadline-role`. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests from this credential: see `Retry-After`. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    liveness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The process is up. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        status: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    readiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready: every component is. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        status: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Not ready, and why. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        status: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    prometheusMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The Prometheus text format. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
        };
    };
    webConsole: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The console's page: it signs in and calls this API. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
        };
    };
    consoleAsset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                file: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The asset (script, style). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/javascript": unknown;
                    "text/css": unknown;
                };
            };
            /** @description Not modified (If-None-Match). */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No such asset. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    thisDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The API's OpenAPI 3.1 document. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        openapi: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    apiReference: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An interactive reference of this document (Scalar). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
        };
    };
    apiReferenceSScript: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Scalar's bundle, from the installed @scalar/api-reference. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/javascript": unknown;
                };
            };
        };
    };
}
