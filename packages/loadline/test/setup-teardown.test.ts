import { join } from "node:path";
import type { LoadTestSpec } from "@loadline/core";
import { connectNats, type NatsConnection } from "@loadline/nats";
import { createLogger, keyringFromEnv } from "@loadline/service";
import { LoadWorker } from "@loadline/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StackFixture, startTestStack } from "./fixture.ts";

/**
 * A run's setup and teardown on the whole stack with two workers: the setup signs in once per
 * run, every VU on both workers reads its token and cookie (`{{setup.NAME}}`), the teardown
 * runs once after the load; their requests are on the run's record, not in its metrics; a
 * failing setup fails the run before any load.
 */
let f: StackFixture;
let nc: NatsConnection;
let second: LoadWorker;
beforeAll(async () => {
  f = await startTestStack();
  nc = await connectNats(f.stack.natsUrl, "second-worker");
  // A second worker with the stack's keyring: it opens what the first one sealed.
  const keyring = keyringFromEnv({ LL_SECRETS_KEY_FILE: join(f.dataDir, "secrets.key") });
  second = new LoadWorker({ nc, ns: f.stack.ns, log: createLogger("second", "silent"), threads: 1, keyring, spareThreads: false });
  await second.start();
});
afterAll(async () => {
  await second?.stop();
  await nc?.drain();
  await f?.close();
});

const VUS = 4;
const ITERATIONS = 5;

function signedInTest(user: string): LoadTestSpec {
  return {
    name: `setup ${user}`,
    tags: [],
    targetUrl: f.stack.demoTarget!.url,
    setup: {
      steps: [
        {
          type: "request",
          name: "sign in",
          method: "POST",
          url: "/login",
          body: { json: { user } },
          timeoutMs: 5000,
          checks: [{ type: "status", in: [200] }],
          extract: [
            { type: "jsonPath", var: "token", path: "$.token" },
            { type: "header", var: "cookie", name: "set-cookie" },
          ],
        },
      ],
    },
    teardown: {
      steps: [
        {
          type: "request",
          name: "sign out",
          method: "GET",
          url: "/fixed?ms=1&bye={{setup.token}}",
          timeoutMs: 5000,
          checks: [],
          extract: [],
        },
      ],
    },
    scenarios: [
      {
        name: "me",
        weight: 1,
        variables: {},
        steps: [
          {
            type: "request",
            name: "me",
            method: "GET",
            url: "/me",
            headers: { authorization: "Bearer {{setup.token}}", cookie: "{{setup.cookie}}" },
            timeoutMs: 5000,
            checks: [
              { type: "status", in: [200] },
              { type: "jsonPath", path: "$.user", equals: user },
            ],
            extract: [],
          },
        ],
      },
    ],
    workload: { type: "per-vu-iterations", vus: VUS, iterations: ITERATIONS, maxDurationSec: 60 },
  } as LoadTestSpec;
}

describe("a run's setup and teardown, on two workers", () => {
  it("signs in once, every VU on both workers uses the session, and the teardown runs once after the load", async () => {
    const target = f.stack.demoTarget!;
    const before = target.received();
    const test = await f.api.createLoadTest(signedInTest("ada"));
    const run = await f.api.waitForEnd((await f.api.startRun(test.id, { workers: 2 })).id, 60_000);
    expect(run.status, run.reason ?? "").toBe("Completed");
    await f.api.waitForProjections(10_000);
    const after = target.received();
    const delta = (path: string) => (after[path] ?? 0) - (before[path] ?? 0);

    // Both workers ran the load; the setup and the teardown ran once each, for the whole run.
    expect(new Set(run.workers.map((w) => w.workerId)).size).toBe(2);
    expect(delta("/login")).toBe(1);
    expect(delta("/fixed")).toBe(1);
    expect(delta("/me")).toBe(VUS * ITERATIONS);

    // Every VU was signed in: no 401, every check passed.
    const aggregate = await f.api.aggregate(run.id);
    expect(aggregate.failures).toBe(0);
    // The setup's and teardown's requests are reported apart: the metrics hold the load's only.
    expect(Object.fromEntries(aggregate.endpoints.map((e) => [e.name, e.requests]))).toEqual({ me: VUS * ITERATIONS });
    const { phases } = run;
    expect(phases.setup?.requests).toEqual([expect.objectContaining({ name: "sign in", method: "POST", status: 200, failure: null })]);
    expect(phases.teardown?.requests).toEqual([expect.objectContaining({ name: "sign out", method: "GET", status: 200, failure: null })]);
    // The values never leave the events sealed: the run's record has none of them.
    expect(JSON.stringify(run)).not.toContain("tok-ada");
  });

  it("fails the run with the setup's reason, before any load, when the setup fails", async () => {
    const target = f.stack.demoTarget!;
    const spec = signedInTest("");
    const before = target.received();
    const test = await f.api.createLoadTest(spec);
    const run = await f.api.waitForEnd((await f.api.startRun(test.id, { workers: 2 })).id, 60_000);
    expect(run.status).toBe("Failed");
    expect(run.reason).toMatch(/setup failed at POST sign in: status 400/);
    expect(run.startedAt).toBeNull();
    const after = target.received();
    expect((after["/me"] ?? 0) - (before["/me"] ?? 0)).toBe(0);
    expect((after["/login"] ?? 0) - (before["/login"] ?? 0)).toBe(1);
  });
});
