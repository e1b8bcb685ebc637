// The observability stack against the real thing: Debian's Prometheus started with each shipped
// config (infra/prometheus/*.yml, its targets moved to this test's services' ports), scraping the
// per-process services and the all-in-one stack, which also pushes its run series by remote write;
// then every Grafana dashboard's queries held to the metric names those services really export.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestNats, testNats } from "@loadline/nats/testing";
import { eventually, freePort, startPrometheus, type TestDatabase, type TestPrometheus, testDatabase } from "@loadline/projections/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { type DemoTarget, startDemoTarget } from "../src/demo-target.ts";
import {
  type DeploymentKeys,
  deploymentEnv,
  makeDeploymentKeys,
  type Service,
  type ServiceName,
  startService,
  waitReady,
} from "../src/testing/index.ts";
import { type Dashboard, exposedNames, metricNamesOf, queriesOf, variablesOf } from "./dashboard-queries.ts";
import { type StackFixture, startTestStack } from "./fixture.ts";

const ROOT = join(import.meta.dirname, "../../..");
const read = (rel: string) => readFileSync(join(ROOT, rel), "utf8");

type ScrapeConfig = { job_name: string; static_configs: { targets: string[] }[] };

/**
 * A shipped Prometheus config with each job's targets moved to `portOf(job)` on 127.0.0.1, and
 * scraped every second: the file as it ships otherwise, so what it says of jobs and paths is tested.
 */
function onTestPorts(file: string, portOf: (job: string) => number): string {
  const config = parseYaml(read(file)) as { global: Record<string, unknown>; scrape_configs: ScrapeConfig[] };
  config.global.scrape_interval = "1s";
  for (const job of config.scrape_configs)
    for (const s of job.static_configs) s.targets = s.targets.map((t) => t.replace(/:\d+$/, `:${portOf(job.job_name)}`));
  return stringifyYaml(config);
}

/** Every target of `prometheus` up, and a loadline_* series from each of `jobs`, within a bounded wait. */
async function expectScraped(prometheus: TestPrometheus, jobs: readonly string[]): Promise<void> {
  const targets = await eventually(
    async () => {
      const all = await prometheus.targets();
      return all.length === jobs.length && all.every((t) => t.health === "up") ? all : undefined;
    },
    30_000,
    "every target up",
  ).catch(async (err: unknown) => {
    throw new Error(`${String(err)}: ${JSON.stringify(await prometheus.targets())}`);
  });
  expect(targets.map((t) => t.job).sort()).toEqual([...jobs].sort());
  const withSeries = await eventually(
    async () => {
      const byJob = await prometheus.query('count by (job) ({__name__=~"loadline_.+"})');
      return byJob.length === jobs.length ? byJob.map((r) => r.metric.job) : undefined;
    },
    30_000,
    "a loadline_* series from every job",
  );
  expect(withSeries.sort()).toEqual([...jobs].sort());
}

/** Every series name the services export, gathered from their /metrics answers. */
const exported = new Set<string>();
const scrape = async (url: string) => {
  const text = await (await fetch(`${url}/metrics`)).text();
  for (const name of exposedNames(text)) exported.add(name);
  return text;
};

describe("Prometheus scraping the per-process deployment (infra/prometheus/prometheus.yml)", () => {
  let nats: TestNats;
  let db: TestDatabase;
  let dir: string;
  let keys: DeploymentKeys;
  let prometheus: TestPrometheus | undefined;
  const services: Service[] = [];

  beforeAll(async () => {
    [nats, db] = await Promise.all([testNats(), testDatabase()]);
    dir = mkdtempSync(join(tmpdir(), "loadline-observability-"));
    keys = await makeDeploymentKeys(dir);
    const start = (name: ServiceName) =>
      startService(name, { NATS_URL: nats.url, DATABASE_URL: db.url, LL_NAMESPACE: nats.ns.prefix, ...deploymentEnv(name, keys) });
    services.push(await start("projections"));
    await waitReady(services[0]!);
    for (const name of ["orchestrator", "worker", "api", "agent"] as const) services.push(await start(name));
    await Promise.all(services.map((s) => waitReady(s)));
  }, 90_000);

  afterAll(async () => {
    await prometheus?.stop();
    for (const s of services) if (s.child.exitCode === null) s.child.kill("SIGKILL");
    await nats?.cleanup();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("has every service's target up, and loadline_* series from each job", async () => {
    const portOf = (job: string) => {
      const service = services.find((s) => s.name === job);
      if (!service) throw new Error(`infra/prometheus/prometheus.yml scrapes ${job}, which is no service`);
      return service.port;
    };
    prometheus = await startPrometheus(onTestPorts("infra/prometheus/prometheus.yml", portOf));
    await expectScraped(
      prometheus,
      services.map((s) => s.name),
    );
    for (const s of services) await scrape(`http://127.0.0.1:${s.port}`);
    // What docs/operations.md promises of each process.
    for (const name of [
      "loadline_agent_telemetry_published_total",
      "loadline_projection_lag_messages",
      "loadline_runs",
      "loadline_workers",
      "loadline_worker_requests_total",
    ])
      expect(exported, name).toContain(name);
    const http = await prometheus.query("count by (job) (loadline_http_request_duration_seconds_count)");
    expect(http.map((r) => r.metric.job).sort()).toEqual(services.map((s) => s.name).sort());
  }, 90_000);
});

describe("Prometheus with the all-in-one stack (infra/prometheus/prometheus-all-in-one.yml) and its remote write", () => {
  let prometheus: TestPrometheus;
  let fixture: StackFixture;
  let target: DemoTarget;

  beforeAll(async () => {
    // The stack's run series are pushed to the same Prometheus that scrapes it: told apart by `job` (remote write has none).
    // Its URL is named before the stack starts, the stack's port known only after.
    const prometheusPort = await freePort();
    target = await startDemoTarget();
    const env = {
      LL_PROMETHEUS_RW_URL: `http://127.0.0.1:${prometheusPort}/api/v1/write`,
      LL_PROMETHEUS_RW_PUSH_INTERVAL_SEC: "1",
      LL_PROMETHEUS_RW_SETTLE_SEC: "1",
    };
    Object.assign(process.env, env);
    try {
      fixture = await startTestStack();
    } finally {
      for (const k of Object.keys(env)) delete process.env[k];
    }
    const port = Number(new URL(fixture.stack.apiUrl).port);
    prometheus = await startPrometheus(
      onTestPorts("infra/prometheus/prometheus-all-in-one.yml", () => port),
      { port: prometheusPort },
    );
  }, 90_000);

  afterAll(async () => {
    await fixture?.close();
    await prometheus?.stop();
    await target?.close();
  });

  it("scrapes the stack's one port, whose run series equal the run's aggregate, scraped and pushed", async () => {
    await expectScraped(prometheus, ["loadline"]);
    const { api } = fixture;
    const test = await api.createLoadTest({
      name: "observability",
      targetUrl: target.url,
      requests: [{ method: "GET", path: "/fixed?ms=5" }],
      defaultUsers: 3,
      defaultSpawnRate: 10,
      defaultDurationSec: 3,
    });
    const run = await api.waitForEnd((await api.startRun(test.id)).id, 30_000);
    expect(run.status).toBe("Completed");
    await api.waitForProjections(10_000);
    const aggregate = await api.aggregate(run.id);
    expect(aggregate.requests).toBeGreaterThan(10);

    const text = await scrape(fixture.stack.apiUrl);
    const line = new RegExp(`^loadline_run_request_duration_seconds_count\\{[^}]*run_id="${run.id}"[^}]*\\} (\\d+)$`, "m").exec(text);
    expect(Number(line?.[1])).toBe(aggregate.requests);

    const total = (selector: string) => async () => {
      const [r] = await prometheus.query(`sum(loadline_run_requests_total{run_id="${run.id}",${selector}})`);
      return r?.value === aggregate.requests ? r.value : undefined;
    };
    expect(await eventually(total('job="loadline"'), 20_000, "the scraped run series")).toBe(aggregate.requests);
    expect(await eventually(total('job=""'), 20_000, "the remote-written run series")).toBe(aggregate.requests);
    const [pushed] = await prometheus.query(`sum(loadline_run_request_duration_seconds_count{run_id="${run.id}",job=""})`);
    expect(pushed?.value).toBe(aggregate.requests);
    expect(exported).toContain("loadline_remote_write_samples_sent_total");
  }, 90_000);
});

describe("the Grafana dashboards (infra/grafana)", () => {
  const dir = "infra/grafana/dashboards";
  const dashboards = readdirSync(join(ROOT, dir)).filter((f) => f.endsWith(".json"));

  it("are the platform's and the run's, each provisioned", () => {
    expect(dashboards.sort()).toEqual(["loadline-platform.json", "loadline-run.json"]);
    const provider = parseYaml(read("infra/grafana/provisioning/dashboards/loadline.yml")) as { providers: { type: string }[] };
    expect(provider.providers[0]?.type).toBe("file");
    const sources = parseYaml(read("infra/grafana/provisioning/datasources/loadline.yml")) as { datasources: { type: string }[] };
    expect(sources.datasources.map((d) => d.type)).toEqual(["prometheus"]);
  });

  it.each(dashboards)("%s asks only for series the services export, with variables it defines", (file) => {
    // Names come from the scrapes above (this file's describes run in order).
    expect(exported.size).toBeGreaterThan(50);
    const dashboard = JSON.parse(read(`${dir}/${file}`)) as Dashboard;
    const queries = queriesOf(dashboard);
    expect(queries.length).toBeGreaterThan(5);
    const defined = new Set((dashboard.templating?.list ?? []).map((v) => v.name));
    for (const query of queries) {
      const names = metricNamesOf(query);
      expect(names.length, query).toBeGreaterThan(0);
      for (const name of names) expect(exported.has(name), `${file}: ${name} in ${query}`).toBe(true);
    }
    for (const variable of variablesOf(read(`${dir}/${file}`))) expect(defined.has(variable), `${file}: $${variable}`).toBe(true);
  });
});
