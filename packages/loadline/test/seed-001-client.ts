/**
 * A client of seed 001's Load Manager control plane, written from the seed's API section alone
 * (its flows 1, 2, 4 and 6 and its collections' fields), imports nothing of Loadline's: the copy
 * the contract test (seed-001-contract.test.ts) runs against Loadline to prove that such a client
 * works unchanged (issue 20). Do not "fix" it to Loadline's names: a change here is a change of
 * the contract, and docs/seed-contract.md says what each name is in Loadline.
 *
 * The seed names no list routes, no auth scheme and no error shape: the lists are read as
 * `{items}`, the credential is a bearer token, and an error is any non-2xx with its body.
 */

/** The seed's `load_tests` collection, as its API answers a test. */
export type SeedLoadTest = {
  id: string;
  name: string;
  description?: string;
  tags?: string[];
  tenantId?: string;
  envId?: string | null;
  targetUrl: string;
  defaultUsers?: number | null;
  defaultSpawnRate?: number | null;
  defaultDurationSec?: number | null;
  maxDurationSec?: number | null;
  /** Flow 1's answer: `Created`. */
  status: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  metadata?: Record<string, unknown> | null;
};

/** Flow 1's request: name, targetUrl and locustfile required, the defaults and the audit field given by the client. */
export type SeedCreateLoadTest = {
  name: string;
  targetUrl: string;
  locustfile?: string;
  description?: string;
  tags?: string[];
  envId?: string;
  defaultUsers?: number;
  defaultSpawnRate?: number;
  defaultDurationSec?: number;
  maxDurationSec?: number;
  createdBy?: string;
  metadata?: Record<string, unknown>;
  /** What a control plane without a locustfile takes instead (not a seed field: the one addition the test makes). */
  [loadlineField: string]: unknown;
};

/** Flow 2's request: runtime overrides of the test's defaults. */
export type SeedStartRun = {
  targetUsers?: number;
  spawnRate?: number;
  durationSeconds?: number;
  name?: string;
  envId?: string;
  createdBy?: string;
  metadata?: Record<string, unknown>;
};

/** The seed's `metrics_timeseries` fields, as `lastMetrics` and a timeseries' dataPoints carry them. */
export type SeedMetrics = {
  timestamp?: string;
  totalRPS: number;
  totalRequests: number;
  totalFailures: number;
  errorRate: number;
  currentUsers: number;
  p50ResponseMs: number;
  p95ResponseMs: number;
  p99ResponseMs: number;
  minResponseMs: number;
  maxResponseMs: number;
  avgResponseMs: number;
};

/** The seed's `load_test_runs` collection. Its statuses: Pending | Running | Stopping | Finished | Failed. */
export type SeedRun = {
  id: string;
  loadTestId: string;
  name?: string | null;
  tenantId?: string;
  envId?: string | null;
  targetUsers: number;
  spawnRate: number;
  durationSeconds: number;
  status: string;
  startedAt?: string | null;
  finishedAt?: string | null;
  lastMetrics?: SeedMetrics | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  metadata?: Record<string, unknown> | null;
};

/** Flow 6: the timeseries summary and the aggregate's figures. */
export type SeedSummary = { avgRPS: number; maxRPS: number; avgP50: number; avgP95: number; totalRequests: number };
export type SeedTimeseries = { dataPoints: SeedMetrics[]; summary: SeedSummary };
export type SeedAggregate = SeedSummary & { minRPS: number };
export type SeedScatter = { dataPoints: { timestamp: string; p50ResponseMs: number; p99ResponseMs: number }[] };

export class SeedApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${JSON.stringify(body)}`);
  }
}

export class SeedLoadManagerClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as unknown) : null;
    if (!res.ok) throw new SeedApiError(res.status, parsed, `${method} ${path}`);
    return { status: res.status, body: parsed as T };
  }

  /** Flow 1: POST /v1/load-tests → 201 Created. */
  async createLoadTest(req: SeedCreateLoadTest): Promise<SeedLoadTest> {
    return (await this.call<SeedLoadTest>("POST", "/v1/load-tests", req)).body;
  }

  /** The tests of an environment (the seed's tenant+env index). */
  async listLoadTests(envId: string): Promise<SeedLoadTest[]> {
    return (await this.call<{ items: SeedLoadTest[] }>("GET", `/v1/load-tests?envId=${encodeURIComponent(envId)}`)).body.items;
  }

  /** Flow 2: POST /v1/load-tests/{id}/runs → 201 Created with the run. */
  async startRun(loadTestId: string, req: SeedStartRun): Promise<SeedRun> {
    return (await this.call<SeedRun>("POST", `/v1/load-tests/${loadTestId}/runs`, req)).body;
  }

  async getRun(id: string): Promise<SeedRun> {
    return (await this.call<SeedRun>("GET", `/v1/runs/${id}`)).body;
  }

  /** The runs of an environment (the seed's tenant+env+status index). */
  async listRuns(envId: string): Promise<SeedRun[]> {
    return (await this.call<{ items: SeedRun[] }>("GET", `/v1/runs?envId=${encodeURIComponent(envId)}`)).body.items;
  }

  /** Flow 4: POST /v1/runs/{id}/stop → 200 OK `{ success: true }`. */
  async stopRun(id: string): Promise<{ success: boolean }> {
    const { status, body } = await this.call<{ success: boolean }>("POST", `/v1/runs/${id}/stop`);
    if (status !== 200) throw new SeedApiError(status, body, `POST /v1/runs/${id}/stop: the seed answers 200 OK`);
    return body;
  }

  /** Flow 6: GET /v1/runs/{id}/metrics/timeseries?from=&to= → dataPoints and summary. */
  async timeseries(id: string, from?: string, to?: string): Promise<SeedTimeseries> {
    const q = new URLSearchParams({ ...(from ? { from } : {}), ...(to ? { to } : {}) }).toString();
    return (await this.call<SeedTimeseries>("GET", `/v1/runs/${id}/metrics/timeseries${q ? `?${q}` : ""}`)).body;
  }

  /** Flow 6: the scatter plot (response time distribution). */
  async scatter(id: string): Promise<SeedScatter> {
    return (await this.call<SeedScatter>("GET", `/v1/runs/${id}/metrics/scatter`)).body;
  }

  /** Flow 6: summary statistics (avg, max, min, totals). */
  async aggregate(id: string): Promise<SeedAggregate> {
    return (await this.call<SeedAggregate>("GET", `/v1/runs/${id}/metrics/aggregate`)).body;
  }
}
