// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} placeholders are what these tests are about.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunView } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { createLogger, loadConfig } from "@loadline/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../src/commands/run.ts";
import { type StackFixture, startTestStack } from "./fixture.ts";

let f: StackFixture;
beforeAll(async () => {
  f = await startTestStack();
});
afterAll(() => f.close());

const ctx = () => ({ config: loadConfig({}), log: createLogger("test", "silent"), port: 0, dataDir: f.dataDir });
const post = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; field?: string; message: string } }).error;

/** A stored test whose target is a run-level parameter. */
const templatedTest = (name: string) => ({
  name,
  targetUrl: "${BASE_URL}",
  defaultUsers: 1,
  defaultSpawnRate: 1,
  defaultDurationSec: 2,
  scenarios: [
    { name: "s", steps: [{ type: "request", url: "{{env.BASE_URL}}/fixed?ms=${DELAY_MS:-1}", headers: { "X-Stage": "${STAGE}" } }] },
  ],
});

async function finished(runId: string): Promise<RunView> {
  return eventually(async () => {
    const r = (await (await f.api.fetch(`/v1/runs/${runId}`)).json()) as RunView;
    return ["Completed", "Failed", "Cancelled"].includes(r.status) && r;
  }, 30_000);
}

describe("run-level env (POST /v1/load-tests/{id}/runs env)", () => {
  let testId: string;
  beforeAll(async () => {
    const res = await f.api.fetch("/v1/load-tests", post(templatedTest("env-api")));
    expect(res.status).toBe(201);
    const view = (await res.json()) as { id: string; targetUrl: string };
    expect(view.targetUrl).toBe("${BASE_URL}"); // stored with its placeholders
    testId = view.id;
  });

  it("runs the stored test against the env's target and shows the env on the run", async () => {
    const env = { BASE_URL: f.stack.demoTarget!.url, STAGE: "qa" };
    const res = await f.api.fetch(`/v1/load-tests/${testId}/runs`, post({ env }));
    expect(res.status).toBe(201);
    const started = (await res.json()) as RunView;
    expect(started.env).toEqual(env);
    const ended = await finished(started.id);
    expect(ended).toMatchObject({ status: "Completed", env });
    const aggregate = await f.api.aggregate(started.id);
    expect(aggregate.requests).toBeGreaterThan(0);
    expect(aggregate.failures).toBe(0);
  });

  it("refuses a run without a variable the test needs: 400 naming the field", async () => {
    const res = await f.api.fetch(`/v1/load-tests/${testId}/runs`, post({ env: { STAGE: "qa" } }));
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ field: "targetUrl", message: expect.stringContaining("${BASE_URL} is not set") });
    const noStage = await f.api.fetch(`/v1/load-tests/${testId}/runs`, post({ env: { BASE_URL: f.stack.demoTarget!.url } }));
    expect(await errorOf(noStage)).toMatchObject({ field: "scenarios.0.steps.0.headers.X-Stage" });
  });

  it("refuses a filled target outside the tenant's allow-list, naming the field", async () => {
    const res = await f.api.fetch(`/v1/load-tests/${testId}/runs`, post({ env: { BASE_URL: "http://169.254.169.254", STAGE: "qa" } }));
    expect(res.status).toBe(403);
    expect((await errorOf(res)).field).toBe("targetUrl");
  });

  it("bounds the env: names, and a malformed placeholder is refused when the test is written", async () => {
    const bad = await f.api.fetch(`/v1/load-tests/${testId}/runs`, post({ env: { "base-url": "x" } }));
    expect(bad.status).toBe(400);
    const malformed = await f.api.fetch("/v1/load-tests", post({ ...templatedTest("env-bad"), targetUrl: "${BASE URL}" }));
    expect(malformed.status).toBe(400);
    expect((await errorOf(malformed)).field).toBe("targetUrl");
  });
});

describe("loadline run FILE --env / --env-file", () => {
  const file = (text: string) => {
    const dir = mkdtempSync(join(tmpdir(), "loadline-env-"));
    writeFileSync(join(dir, "test.yaml"), text);
    return dir;
  };
  const yaml =
    "name: env-cli\ntargetUrl: ${BASE_URL}\ndefaultUsers: 1\ndefaultSpawnRate: 1\ndefaultDurationSec: 2\n" +
    'requests:\n  - { method: GET, path: "/fixed?ms=1", headers: { X-Stage: "{{env.STAGE}}" } }\n';

  it("sends the values of the names the file uses, from --env over --env-file, and the run records them", async () => {
    const dir = file(yaml);
    writeFileSync(join(dir, ".env"), `# staging\nexport BASE_URL="http://127.0.0.1:1"\nSTAGE=from-file\nUNUSED_SECRET=s3cr3t\n`);
    const code = await run(ctx(), join(dir, "test.yaml"), f.stack.apiUrl, undefined, undefined, {
      args: [`BASE_URL=${f.stack.demoTarget!.url}`],
      envFile: join(dir, ".env"),
    });
    expect(code).toBe(0);
    const { items } = (await (await f.api.fetch("/v1/runs")).json()) as { items: RunView[] };
    const latest = items.find((r) => r.env?.STAGE === "from-file");
    expect(latest?.env).toEqual({ BASE_URL: f.stack.demoTarget!.url, STAGE: "from-file" });
  });

  it("exits 2 naming the field when a variable is not set, and reads the process only when asked", async () => {
    const dir = file(yaml);
    const errors: string[] = [];
    const original = console.error;
    console.error = (m: string) => errors.push(m);
    try {
      const processEnv = { BASE_URL: f.stack.demoTarget!.url };
      expect(await run(ctx(), join(dir, "test.yaml"), f.stack.apiUrl, undefined, undefined, { args: ["STAGE=x"] })).toBe(2);
      expect(errors.join("\n")).toContain("targetUrl: ${BASE_URL} is not set");
      expect(await run(ctx(), join(dir, "test.yaml"), f.stack.apiUrl, undefined, undefined, { processEnv })).toBe(2);
      expect(errors.join("\n")).toContain("requests.0.headers.X-Stage: {{env.STAGE}} is not set");
    } finally {
      console.error = original;
    }
  });
});
