import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createCommand, type RunView, sleep, type WorkerRegistration } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { CommandBus, connectNats, openWorkerBucket, WorkerHeartbeat } from "@loadline/nats";
import { createLogger, loadConfig } from "@loadline/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../src/commands/run.ts";
import { type StackFixture, startTestStack } from "./fixture.ts";

const examples = fileURLToPath(new URL("../../../examples/", import.meta.url));
let f: StackFixture;
beforeAll(async () => {
  f = await startTestStack();
});
afterAll(() => f.close());

/** The CLI's context with the stack's data folder: `run --api` sends the bootstrap key it finds there, as against `loadline up`. */
const ctx = () => ({ config: loadConfig({}), log: createLogger("test", "silent"), port: 0, dataDir: f.dataDir });

/** The example file, pointed at this test's demo target and shortened. */
function exampleFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "loadline-run-"));
  for (const beside of ["users.csv", "login-steps.yaml"]) copyFileSync(join(examples, beside), join(dir, beside));
  const text = readFileSync(join(examples, "login-flow.yaml"), "utf8")
    .replace("http://127.0.0.1:3000", f.stack.demoTarget!.url)
    .replaceAll("durationSec: 10", "durationSec: 3");
  writeFileSync(join(dir, "test.yaml"), text);
  return join(dir, "test.yaml");
}

describe("loadline run <file>", () => {
  it("runs the example's scenarios through the API: logins carry their token and cookie, checks pass", async () => {
    const code = await run(ctx(), exampleFile(), f.stack.apiUrl);
    expect(code).toBe(0);
    const { items } = (await (await f.api.fetch(`/v1/runs`)).json()) as { items: { id: string }[] };
    const runId = items[0]!.id;
    const [aggregate, { endpoints }] = await Promise.all([f.api.aggregate(runId), f.api.endpoints(runId)]);
    const byName = Object.fromEntries(endpoints.map((e) => [e.name, e]));
    expect(Object.keys(byName).sort()).toEqual(["fixed", "item", "login", "me"]);
    // /me answers 401 unless the extracted token and the session cookie both came back.
    expect(byName.me!.requests).toBeGreaterThan(0);
    expect(byName.me!.failures).toBe(0);
    expect(aggregate.checksFailed).toBe(0);
    expect(aggregate.checksPassed).toBeGreaterThan(0);
    // The spike scenario's own executor: 50 arrivals a second for 3 s.
    expect(byName.fixed!.requests).toBeGreaterThanOrEqual(147);
    expect(byName.fixed!.requests).toBeLessThanOrEqual(153);
  });

  it("exits 2 and names the field when the test is refused", async () => {
    const dir = mkdtempSync(join(tmpdir(), "loadline-bad-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(
      file,
      `name: bad\ntargetUrl: ${f.stack.demoTarget!.url}\ndefaultUsers: 1\ndefaultSpawnRate: 1\ndefaultDurationSec: 1\nscenarios:\n  - name: s\n    steps:\n      - { type: request, url: "/items/{{id}}" }\n`,
    );
    const errors: string[] = [];
    const original = console.error;
    console.error = (m: string) => errors.push(m);
    try {
      expect(await run(ctx(), file, f.stack.apiUrl)).toBe(2);
    } finally {
      console.error = original;
    }
    expect(errors.join("\n")).toMatch(/scenarios\.0\.steps\.0\.url: unknown variable \{\{id\}\}/);
  });

  it("exits 3 for a run that completed degraded, and the API and the summary say how much of its load ran", async () => {
    // A worker of its own (labelled so that only it takes the run) that reports ready, then dies 1 s in.
    const nc = await connectNats(f.stack.natsUrl, "doomed-worker");
    const workerId = "w-doomed";
    const startedAt = new Date().toISOString();
    const registration = (): WorkerRegistration => ({
      workerId,
      version: "test",
      capacity: { threads: 1, maxVUs: 100, maxArrivalRate: 1000 },
      labels: { pool: "doomed" },
      startedAt,
      heartbeatAt: new Date().toISOString(),
      status: "active",
      assignments: [],
    });
    const kv = await openWorkerBucket(nc, f.stack.ns);
    const heartbeat = new WorkerHeartbeat({ nc, ns: f.stack.ns, kv, workerId, registration, intervalMs: 300 });
    await heartbeat.start();
    const dir = mkdtempSync(join(tmpdir(), "loadline-degraded-"));
    const file = join(dir, "test.yaml");
    writeFileSync(
      file,
      `name: degraded\ntargetUrl: ${f.stack.demoTarget!.url}\ndefaultUsers: 2\ndefaultSpawnRate: 2\ndefaultDurationSec: 4\n` +
        `requests:\n  - { method: GET, path: "/fixed?ms=1" }\nrun:\n  workerSelector: { pool: doomed }\n`,
    );
    const printed: string[] = [];
    const original = console.log;
    console.log = (...m: unknown[]) => printed.push(m.join(" "));
    try {
      const exited = run(ctx(), file, f.stack.apiUrl);
      const { items } = await eventually(async () => {
        const list = (await (await f.api.fetch(`/v1/runs?status=Starting`)).json()) as { items: RunView[] };
        return list.items.some((r) => r.workers.some((w) => w.workerId === workerId)) && list;
      }, 15_000);
      const runId = items.find((r) => r.workers.some((w) => w.workerId === workerId))!.id;
      const bus = new CommandBus(nc, f.stack.ns);
      const aggregate = { type: "run" as const, id: runId };
      await bus.send(createCommand({ type: "run.report-worker-ready", tenantId: "default", aggregate, data: { workerId } }));
      const running = await eventually(async () => {
        const r = (await (await f.api.fetch(`/v1/runs/${runId}`)).json()) as RunView;
        return r.startedAt !== null && r;
      }, 10_000);
      await sleep(Date.parse(running.startedAt!) + 1_000 - Date.now());
      await heartbeat.stop(); // killed: silent, its registration left behind
      const diedAt = Date.now();

      expect(await exited).toBe(3);
      const ended = (await (await f.api.fetch(`/v1/runs/${runId}`)).json()) as RunView;
      expect(ended).toMatchObject({ status: "Completed", degraded: true });
      // It ran a quarter of its 4 s, give or take a heartbeat; the rest is named, with the worker.
      expect(ended.coverage).toBeGreaterThan(0.05);
      expect(ended.coverage).toBeLessThan(0.4);
      expect(ended.reason).toMatch(
        /^lanes? [\d, ]+ of \d+ (was|were) not run for [\d.]+ s of 4\.0 s: worker w-doomed was last heard from /,
      );
      expect(Date.parse(ended.gaps[0]!.lastSeenAt)).toBeLessThanOrEqual(diedAt);
      const summary = printed.join("\n");
      expect(summary).toContain(`run ${runId}: Completed, DEGRADED (`);
      expect(summary).toContain(`DEGRADED: ${ended.reason}`);
    } finally {
      console.log = original;
      await heartbeat.stop({ leave: true }).catch(() => undefined);
      await nc.close();
    }
  });
});
