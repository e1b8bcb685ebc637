import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestNats, testNats } from "@loadline/nats/testing";
import { type TestDatabase, testDatabase } from "@loadline/projections/testing";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { LoadlineClient } from "../src/client.ts";
import { type DemoTarget, startDemoTarget } from "../src/demo-target.ts";
import {
  type DeploymentKeys,
  deploymentEnv,
  makeDeploymentKeys,
  type Service,
  type ServiceName,
  startService,
  stopService,
  waitReady,
} from "../src/testing/index.ts";

let nats: TestNats;
let db: TestDatabase;
let target: DemoTarget;
let dir: string;
/** The platform admin's key (the API process reads it from LL_BOOTSTRAP_KEY_FILE) and the secrets keyring. */
let keys: DeploymentKeys;
const services: Service[] = [];

const start = (name: ServiceName) =>
  startService(name, { NATS_URL: nats.url, DATABASE_URL: db.url, LL_NAMESPACE: nats.ns.prefix, ...deploymentEnv(name, keys) });

beforeAll(async () => {
  nats = await testNats();
  db = await testDatabase();
  target = await startDemoTarget();
  dir = mkdtempSync(join(tmpdir(), "loadline-processes-"));
  keys = await makeDeploymentKeys(dir);
  // Projections first: they migrate the database the API reads.
  services.push(await start("projections"));
  await waitReady(services[0]!);
  for (const name of ["orchestrator", "worker", "api"] as const) services.push(await start(name));
  await Promise.all(services.map((s) => waitReady(s)));
});

afterAll(async () => {
  for (const s of services) if (s.child.exitCode === null) s.child.kill("SIGKILL");
  await target.close();
  await nats.cleanup();
  await db.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("each package as a process of its own", () => {
  it("runs a test through the API, orchestrator, worker and projections processes", async () => {
    // What the services logged (warnings and errors) is what tells why, when this fails.
    onTestFailed(() => {
      for (const s of services) console.error(`--- ${s.name} (exit ${s.child.exitCode}):\n${s.output().slice(-4_000)}`);
    });
    const apiUrl = `http://127.0.0.1:${services.find((s) => s.name === "api")!.port}`;
    // Authentication is on, as deployed: nothing without a credential.
    expect((await fetch(`${apiUrl}/v1/load-tests`)).status).toBe(401);
    const api = new LoadlineClient(apiUrl, keys.adminKey);
    const test = await api.createLoadTest({
      name: "processes",
      targetUrl: target.url,
      requests: [{ method: "GET", path: "/fixed?ms=10" }],
      defaultUsers: 5,
      defaultSpawnRate: 10,
      defaultDurationSec: 3,
    });
    const run = await api.waitForEnd((await api.startRun(test.id)).id, 30_000);
    expect(run.status).toBe("Completed");
    await api.waitForProjections(10_000);
    const aggregate = await api.aggregate(run.id);
    expect(aggregate.requests).toBeGreaterThan(100);
    expect(aggregate.requests).toBe(target.total());
  });

  it("every service serves /healthz and Prometheus /metrics, and exits 0 on SIGTERM", async () => {
    for (const s of services) {
      expect((await fetch(`http://127.0.0.1:${s.port}/healthz`)).status, s.name).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
      expect(metrics, s.name).toContain("process_cpu_seconds_total");
    }
    // Stop in the reverse order of dependence, as an operator would.
    for (const s of [...services].reverse()) expect(await stopService(s), `${s.name}: ${s.output()}`).toBe(0);
  });
});
