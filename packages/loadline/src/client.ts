import type {
  AggregateView,
  EndpointView,
  LoadTestSpec,
  LoadTestView,
  MetricsPoint,
  MissedFirePolicy,
  OverlapPolicy,
  RunParameters,
  RunView,
  ScheduleOverrides,
  ScheduleView,
  Thresholds,
} from "@loadline/core";
import { sleep } from "@loadline/core";

/** A schedule as POST /v1/load-tests/{id}/schedules takes it; absent fields take their defaults. */
export type NewSchedule = {
  cron: string;
  timezone?: string;
  overrides?: ScheduleOverrides;
  enabled?: boolean;
  missedFire?: MissedFirePolicy;
  overlap?: OverlapPolicy;
};

/** What POST /v1/load-tests/{id}/runs takes: overrides of the test's defaults, where the run may go, and its env. */
export type StartRun = Partial<RunParameters> & {
  workers?: number;
  workerSelector?: Record<string, string>;
  thresholds?: Thresholds;
  env?: Record<string, string>;
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}: ${JSON.stringify(body)}`);
  }
}

/** A small typed client of the REST API, for the CLI and the end-to-end tests; `apiKey` goes as the Bearer credential. */
export class LoadlineClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey?: string,
  ) {}

  /** fetch on a path of the API, with the credential: for what the typed calls do not cover. */
  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.apiKey && !headers.has("authorization")) headers.set("authorization", `Bearer ${this.apiKey}`);
    return fetch(`${this.baseUrl}${path}`, { ...init, headers });
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.fetch(path, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : null;
    if (!res.ok) throw new ApiError(res.status, parsed);
    return parsed as T;
  }

  createLoadTest = (spec: LoadTestSpec | Omit<LoadTestSpec, "tags">) => this.call<LoadTestView>("POST", "/v1/load-tests", spec);
  updateLoadTest = (id: string, spec: LoadTestSpec | Omit<LoadTestSpec, "tags">) =>
    this.call<LoadTestView>("PUT", `/v1/load-tests/${encodeURIComponent(id)}`, spec);

  /** The newest of the tenant's tests named `name`, or null: a test file's test, found by the name the file gives it. */
  async loadTestNamed(name: string): Promise<LoadTestView | null> {
    const limit = 500;
    for (let offset = 0; ; offset += limit) {
      const page = await this.call<{ items: LoadTestView[]; total: number }>("GET", `/v1/load-tests?limit=${limit}&offset=${offset}`);
      const found = page.items.find((t) => t.name === name);
      if (found) return found;
      if (offset + limit >= page.total) return null;
    }
  }
  startRun = (loadTestId: string, overrides: StartRun = {}) => this.call<RunView>("POST", `/v1/load-tests/${loadTestId}/runs`, overrides);
  run = (id: string) => this.call<RunView>("GET", `/v1/runs/${id}`);
  stopRun = (id: string) => this.call<RunView>("POST", `/v1/runs/${id}/stop`);
  timeseries = (id: string) => this.call<{ runId: string; points: MetricsPoint[] }>("GET", `/v1/runs/${id}/metrics/timeseries`);
  aggregate = (id: string) => this.call<AggregateView>("GET", `/v1/runs/${id}/metrics/aggregate`);
  endpoints = (id: string) => this.call<{ runId: string; endpoints: EndpointView[] }>("GET", `/v1/runs/${id}/metrics/endpoints`);

  /** What POST /v1/load-tests/{id}/schedules takes (README, "Schedules"). */
  createSchedule = (loadTestId: string, schedule: NewSchedule) =>
    this.call<ScheduleView>("POST", `/v1/load-tests/${encodeURIComponent(loadTestId)}/schedules`, schedule);
  schedules = (loadTestId?: string) =>
    this.call<{ items: ScheduleView[]; total: number }>(
      "GET",
      `/v1/schedules?limit=500${loadTestId === undefined ? "" : `&loadTestId=${encodeURIComponent(loadTestId)}`}`,
    );
  updateSchedule = (id: string, changes: Partial<NewSchedule>) =>
    this.call<ScheduleView>("PATCH", `/v1/schedules/${encodeURIComponent(id)}`, changes);
  deleteSchedule = (id: string) => this.call<null>("DELETE", `/v1/schedules/${encodeURIComponent(id)}`);

  projections = () =>
    this.call<{ items: { name: string; checkpoint: number; streamLastSeq: number; lag: number }[] }>("GET", "/v1/projections");

  /**
   * Polls until every projection has applied all its stream holds now (lag 0). Once a run has
   * ended, its workers' last windows are on the stream: after this, the run's figures are final.
   */
  async waitForProjections(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { items } = await this.projections();
      const behind = items.filter((p) => p.lag > 0);
      if (behind.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(`projections still behind after ${timeoutMs} ms: ${behind.map((p) => `${p.name} ${p.lag}`).join(", ")}`);
      await sleep(100);
    }
  }

  /** Polls an ended run until its thresholds are judged (`verdict` no longer `pending`): its last windows counted. */
  async waitForVerdict(id: string, timeoutMs: number): Promise<RunView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await this.run(id);
      if (run.verdict !== "pending") return run;
      if (Date.now() > deadline) throw new Error(`run ${id} still not judged by its thresholds after ${timeoutMs} ms`);
      await sleep(200);
    }
  }

  /** Polls the run until it ends, calling `onProgress` on each look. */
  async waitForEnd(id: string, timeoutMs: number, onProgress?: (run: RunView) => void): Promise<RunView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await this.run(id);
      onProgress?.(run);
      if (["Completed", "Failed", "Cancelled"].includes(run.status)) return run;
      if (Date.now() > deadline) throw new Error(`run ${id} still ${run.status} after ${timeoutMs} ms`);
      await sleep(500);
    }
  }
}
