import { type Executor, isTerminal, newId, type PriceModel, type RunView } from "@loadline/core";
import { type CommandRouteDeps, executeCommand } from "@loadline/orchestrator";
import { costOfRun, type PgReadModel, runAggregate } from "@loadline/projections";
import { HttpError, ID_PATTERN, idParam, installErrorHandler, type Logger, parseWith, query, readJson, tenantOf } from "@loadline/service";
import { Hono } from "hono";
import { z } from "zod";

export type BenchmarkRoutesDeps = Omit<CommandRouteDeps, "readModel"> & {
  readModel: PgReadModel;
  log: Logger;
  /** What the figures' cost is priced at (LL_PRICE_*). */
  price: PriceModel;
  /** How often a held POST (`?wait=`) looks at its run; 250 ms by default. */
  pollMs?: number;
  /**
   * LL_METRICS' last sequence now. A completed run's figures are final once the metrics projection
   * has passed it: every window of the run was published before the run completed.
   */
  metricsHead: () => Promise<number>;
};

/** The longest a POST may hold its answer for the run to complete (`?wait=`). */
export const MAX_WAIT_SEC = 120;
/** VUs when `concurrency` is not given: every job at once up to this many. */
const DEFAULT_CONCURRENCY = 10;
/** How long the jobs may take at most when `maxDurationSec` is not given: shared-iterations' own default. */
const DEFAULT_MAX_DURATION_SEC = 600;

const count = (max: number) => z.number().int().min(1).max(max);
/** `jobs`, or seed 002's `num_jobs`: iterations of the test's scenarios, shared by `concurrency` VUs. */
export const benchmarkSchema = z
  .object({
    loadTestId: z.string().regex(ID_PATTERN, "must be a load test id"),
    jobs: count(1_000_000_000).optional(),
    num_jobs: count(1_000_000_000).optional(),
    concurrency: count(1_000_000).optional(),
    maxDurationSec: count(7 * 24 * 3600).optional(),
  })
  .strict();
export const waitQuery = z.object({ wait: z.coerce.number().int().min(0).max(MAX_WAIT_SEC).default(0) });

/** What a benchmark run carries in its metadata: how many jobs it was asked for, and by how many at once. */
const benchmarkMarkSchema = z.object({ jobs: z.number().int().positive(), concurrency: z.number().int().positive() });
const benchmarkOf = (run: RunView) => benchmarkMarkSchema.safeParse(run.metadata?.benchmark);

const linksOf = (runId: string) => ({
  self: `/v1/benchmarks/${runId}`,
  run: `/v1/runs/${runId}`,
  aggregate: `/v1/runs/${runId}/metrics/aggregate`,
  report: `/v1/runs/${runId}/report?format=html`,
});

/**
 * A benchmark's answer: once its run completed, throughput (iterations a second over the run's
 * load time), mean request latency and cost, with seed 002's names beside; before, its status
 * and progress.
 */
async function answerOf(readModel: PgReadModel, price: PriceModel, run: RunView, jobs: number, now: number, final: boolean) {
  const aggregate = await runAggregate(readModel, run);
  const base = { runId: run.id, status: run.status, jobs, links: linksOf(run.id) };
  // Completed, its last windows maybe still being counted: progress until they are (`final`).
  if (!final)
    return {
      ...base,
      final: false,
      progress: { iterations: aggregate.iterations, share: aggregate.iterations / jobs },
      ...(run.reason ? { reason: run.reason } : {}),
    };
  const cost = costOfRun(run, aggregate, price, now);
  const throughput = run.ranSec ? aggregate.iterations / run.ranSec : null;
  const meanLatencyMs = aggregate.requests > 0 ? aggregate.latency.mean : null;
  return {
    ...base,
    final: true,
    iterations: aggregate.iterations,
    durationSec: run.ranSec,
    throughput,
    meanLatencyMs,
    totalCost: cost.total,
    costPerJob: cost.perIteration,
    currency: cost.currency,
    cost,
    // Seed 002's names: mean_latency in seconds.
    mean_latency: meanLatencyMs === null ? null : meanLatencyMs / 1000,
    total_cost: cost.total,
  };
}

/**
 * A benchmark preset: N jobs of a load test as one run of its scenarios under a `shared-iterations`
 * workload (iterations = jobs), started by run.start like any run; its answer the figures of seed
 * 002's POST /benchmark/run (docs/cost.md).
 */
export function benchmarkRoutes(deps: BenchmarkRoutesDeps): Hono {
  const { readModel, price } = deps;
  const pollMs = deps.pollMs ?? 250;
  const app = new Hono();
  installErrorHandler(app, deps.log);

  /** Whether the run's figures are final: it completed, and the metrics projection has counted every window. */
  async function isFinal(run: RunView): Promise<boolean> {
    if (run.status !== "Completed") return false;
    const [{ metrics }, head] = await Promise.all([readModel.checkpoints(), deps.metricsHead()]);
    return metrics >= head;
  }

  /** The run, once its figures are final (or it ended otherwise) or `until` passes, whichever is first. */
  async function settled(tenantId: string, id: string, until: number): Promise<{ run: RunView | null; final: boolean }> {
    for (;;) {
      const run = await readModel.run(tenantId, id);
      const final = run ? await isFinal(run) : false;
      if (!run || final || (isTerminal(run.status) && run.status !== "Completed") || Date.now() + pollMs > until) return { run, final };
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  app.post("/v1/benchmarks", async (c) => {
    const tenantId = tenantOf(c);
    const { wait } = query(c, waitQuery);
    const input = await readJson(c);
    const asked = parseWith(benchmarkSchema, input);
    if (asked.jobs !== undefined && asked.num_jobs !== undefined)
      throw new HttpError(400, "invalid_request", "jobs: give jobs or num_jobs, not both", "jobs");
    const jobs = asked.jobs ?? asked.num_jobs;
    if (jobs === undefined) throw new HttpError(400, "invalid_request", "jobs: required (or num_jobs)", "jobs");
    // The test is named in the body, not the path: its absence is the body's loadTestId's fault.
    if (!(await readModel.loadTest(tenantId, asked.loadTestId)))
      throw new HttpError(404, "not_found", "loadTestId: load test not found", "loadTestId");
    const concurrency = asked.concurrency ?? Math.min(jobs, DEFAULT_CONCURRENCY);
    const workload: Executor = {
      type: "shared-iterations",
      vus: concurrency,
      iterations: jobs,
      maxDurationSec: asked.maxDurationSec ?? DEFAULT_MAX_DURATION_SEC,
    };
    const id = newId();
    const data = {
      loadTestId: asked.loadTestId,
      overrides: {},
      workload,
      name: `benchmark: ${jobs} jobs`,
      metadata: { benchmark: { jobs, concurrency } },
    };
    const started = Date.now();
    const done = await executeCommand(c, deps, { type: "run.start", tenantId, aggregate: { type: "run", id }, data }, input);
    // Not yet projected (or not yet decided): the client follows the links.
    if (done instanceof Response) return c.json({ runId: id, status: "accepted", jobs, links: linksOf(id) }, 202);
    c.header("Location", `/v1/benchmarks/${id}`);
    const { run, final } = await settled(tenantId, id, wait > 0 ? started + wait * 1000 : 0);
    if (!run) return c.json({ runId: id, status: "accepted", jobs, links: linksOf(id) }, 202);
    const answer = await answerOf(readModel, price, run, jobs, Date.now(), final);
    return c.json(answer, wait > 0 && final ? 200 : 202);
  });

  app.get("/v1/benchmarks/:id", async (c) => {
    const run = await readModel.run(tenantOf(c), idParam(c, "run"));
    const mark = run ? benchmarkOf(run) : null;
    if (!run || !mark?.success) throw new HttpError(404, "not_found", "benchmark not found", "id");
    return c.json(await answerOf(readModel, price, run, mark.data.jobs, Date.now(), await isFinal(run)));
  });

  return app;
}
