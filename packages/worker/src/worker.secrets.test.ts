import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type CommandData, createCommand, DEFAULT_TENANT, type RunTarget, type TargetPolicy } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { type Logger, parseKeyring } from "@loadline/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onRun as onTenantRun, type TestOrchestrator, testOrchestrator } from "./test-orchestrator.ts";
import { LoadWorker, openRunSecrets, workerRunPlan } from "./worker.ts";

const VALUE = `tok-${randomBytes(12).toString("hex")}`;
const k1 = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
const elsewhere = parseKeyring(`k9:${randomBytes(32).toString("base64")}`);

/**
 * A logger that keeps every line it is given, as pino would write it: errors with their message,
 * stack, every property of their own and their cause (Node's URL errors keep their input there).
 */
function capturingLogger(lines: string[], bindings: Record<string, unknown> = {}): Logger {
  const serialize = (_key: string, value: unknown): unknown =>
    value instanceof Error
      ? { ...Object.fromEntries(Object.entries(value)), name: value.name, message: value.message, stack: value.stack, cause: value.cause }
      : value;
  const write = (args: unknown[]) => lines.push(JSON.stringify([bindings, ...args], serialize));
  return new Proxy({} as Logger, {
    get(_target, prop) {
      if (prop === "child") return (more: Record<string, unknown>) => capturingLogger(lines, { ...bindings, ...more });
      if (prop === "level") return "trace";
      if (prop === "isLevelEnabled") return () => true;
      return (...args: unknown[]) => write(args);
    },
  });
}

/** A target on 127.0.0.1 that keeps the Authorization header of every request. */
async function authServer(): Promise<{ url: string; auth: string[]; server: Server }> {
  const auth: string[] = [];
  const server = createServer((req, res) => {
    auth.push(req.headers.authorization ?? "");
    req.resume();
    req.on("end", () => res.end("ok"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, auth, server };
}

const target = (url: string): RunTarget => ({
  targetUrl: url,
  requests: [{ name: "me", method: "GET", path: "/me", headers: { Authorization: "Bearer {{secrets.TOKEN}}" } }],
});

describe("a run's secrets", () => {
  it("are opened with the keyring into the plan, with the run's target policy; a missing or unopenable one throws, naming it", () => {
    const t = target("http://127.0.0.1:1");
    const parameters = { targetUsers: 1, spawnRate: 1, durationSec: 1 };
    const targetPolicy: TargetPolicy = { allow: ["127.0.0.1"], loopback: true, privateNetworks: false };
    const plan = workerRunPlan({ target: t, parameters, secrets: { TOKEN: k1.seal(VALUE), UNUSED: elsewhere.seal("x") } }, k1);
    expect(plan.secrets).toEqual({ TOKEN: VALUE });
    expect(plan.targetPolicy).toBeUndefined();
    expect(workerRunPlan({ target: t, parameters, targetPolicy, secrets: { TOKEN: k1.seal(VALUE) } }, k1).targetPolicy).toBe(targetPolicy);
    expect(
      workerRunPlan({ target: { targetUrl: t.targetUrl, requests: [{ method: "GET", path: "/" }] }, parameters }, k1).secrets,
    ).toBeUndefined();

    expect(() => openRunSecrets(k1, {}, t)).toThrow("the test refers to secret TOKEN, which the run does not carry");
    expect(() => openRunSecrets(k1, { constructor: k1.seal(VALUE) } as Record<string, string>, t)).toThrow(
      /secret TOKEN, which the run does not carry/,
    );
    expect(() => openRunSecrets(k1, { TOKEN: elsewhere.seal(VALUE) }, t)).toThrow(
      "secret TOKEN cannot be opened: sealed under key k9, which this keyring does not hold (it holds k1)",
    );
  });
});

describe("LoadWorker with secrets", () => {
  let orch: TestOrchestrator;
  let target$: Awaited<ReturnType<typeof authServer>>;
  const lines: string[] = [];
  let worker: LoadWorker;
  const onRun = (runId: string) => onTenantRun(DEFAULT_TENANT, runId);

  beforeAll(async () => {
    orch = await testOrchestrator();
    target$ = await authServer();
    worker = new LoadWorker({
      nc: orch.env.nc,
      ns: orch.env.ns,
      log: capturingLogger(lines),
      workerId: "w-secrets",
      threads: 2,
      keyring: k1,
    });
    await worker.start();
  });

  afterAll(async () => {
    await worker?.stop();
    await new Promise<void>((resolve) => {
      target$?.server.close(() => resolve());
      target$?.server.closeAllConnections();
    });
    await orch?.close();
  });

  async function createAndAssign(runId: string, secrets: Record<string, string>) {
    const data: CommandData<"run.create"> = {
      loadTestId: "lt-secrets",
      targetUsers: 2,
      spawnRate: 20,
      durationSec: 60,
      target: target(target$.url),
      secrets,
    };
    await orch.decide(createCommand({ ...onRun(runId), type: "run.create", data }));
    await orch.decide(
      createCommand({
        ...onRun(runId),
        type: "run.assign",
        data: { laneCount: 1, assignments: [{ workerId: worker.id, lanes: [0], vus: 2, arrivalRate: 0 }] },
      }),
    );
  }

  it("sends the secret in a header the target receives, and writes it in no log line", async () => {
    const runId = "run-secret";
    await createAndAssign(runId, { TOKEN: k1.seal(VALUE) });
    await orch.decide(await orch.commandOf("run.report-worker-ready", runId));
    await eventually(() => target$.auth.length >= 5, 10_000);
    await orch.decide(createCommand({ ...onRun(runId), type: "run.stop", data: { reason: "requested" } }));
    const stopped = (await orch.commandOf("run.report-worker-stopped", runId)).data;
    expect(stopped.failures).toBe(0);
    expect(new Set(target$.auth)).toEqual(new Set([`Bearer ${VALUE}`]));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join("\n")).not.toContain(VALUE);
  });

  it("fails a run whose secret it cannot open, saying which and under which key, never the value", async () => {
    const runId = "run-unopenable";
    const received = target$.auth.length;
    await createAndAssign(runId, { TOKEN: elsewhere.seal(VALUE) });
    const failed = await eventually(
      () => orch.commands.find((c) => c.type === "run.report-worker-failed" && c.aggregate.id === runId),
      10_000,
    );
    expect(failed.data).toEqual({
      workerId: "w-secrets",
      reason: "secret TOKEN cannot be opened: sealed under key k9, which this keyring does not hold (it holds k1)",
    });
    expect(orch.commands.some((c) => c.type === "run.report-worker-ready" && c.aggregate.id === runId)).toBe(false);
    expect(worker.runIds()).not.toContain(runId);
    expect(target$.auth.length).toBe(received);
    expect(lines.some((l) => l.includes("run cannot be run here") && l.includes("k9"))).toBe(true);
    expect(lines.join("\n")).not.toContain(VALUE);
  });
});
