import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabase, testNats, type TestDatabase, type TestNats } from "@loadline/core/testing";
import { LoadlineClient } from "../src/client.ts";
import { startDemoTarget, type DemoTarget } from "../src/demo-target.ts";
import { freePort } from "../src/embedded-nats.ts";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const SERVICES = {
  projections: "packages/projections/src/main.ts",
  orchestrator: "packages/orchestrator/src/main.ts",
  worker: "packages/worker/src/main.ts",
  api: "packages/loadline/src/cli.ts",
} as const;

type Service = { name: string; port: number; child: ChildProcess; exit: Promise<number | null>; output: () => string };

let nats: TestNats;
let db: TestDatabase;
let target: DemoTarget;
const services: Service[] = [];

async function startService(name: keyof typeof SERVICES): Promise<Service> {
  const port = await freePort();
  const args = ["--import", "tsx", SERVICES[name], ...(name === "api" ? ["api"] : [])];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, NATS_URL: nats.url, DATABASE_URL: db.url, LL_NAMESPACE: nats.ns.prefix, PORT: String(port), LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { name, port, child, exit, output: () => output };
}

async function waitReady(s: Service, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${s.port}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    if (s.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${s.name} not ready: ${s.output()}`);
}

beforeAll(async () => {
  nats = await testNats();
  db = await testDatabase();
  target = await startDemoTarget();
  // Projections first: they migrate the database the API reads.
  services.push(await startService("projections"));
  await waitReady(services[0]!);
  for (const name of ["orchestrator", "worker", "api"] as const) services.push(await startService(name));
  await Promise.all(services.map((s) => waitReady(s)));
});

afterAll(async () => {
  for (const s of services) if (s.child.exitCode === null) s.child.kill("SIGKILL");
  await target.close();
  await nats.cleanup();
  await db.drop();
});

describe("each package as a process of its own", () => {
  it("runs a test through the API, orchestrator, worker and projections processes", async () => {
    const api = new LoadlineClient(`http://127.0.0.1:${services.find((s) => s.name === "api")!.port}`);
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
    const aggregate = await api.aggregate(run.id);
    expect(aggregate.requests).toBeGreaterThan(100);
    expect(Math.abs(aggregate.requests - target.total())).toBeLessThanOrEqual(5);
  });

  it("every service serves /healthz and Prometheus /metrics, and exits 0 on SIGTERM", async () => {
    for (const s of services) {
      expect((await fetch(`http://127.0.0.1:${s.port}/healthz`)).status, s.name).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
      expect(metrics, s.name).toContain("process_cpu_seconds_total");
    }
    // Stop in the reverse order of dependence, as an operator would.
    for (const s of [...services].reverse()) {
      s.child.kill("SIGTERM");
      const code = await Promise.race([s.exit, new Promise((r) => setTimeout(() => r("timeout"), 15_000))]);
      expect(code, `${s.name}: ${s.output()}`).toBe(0);
    }
  });
});
