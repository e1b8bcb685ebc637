import type { RunPhase, RunPlan } from "@loadline/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPhase } from "./run-phase.ts";
import { type SeenRequest, startTestServer } from "./scenario/test-server.ts";

let server: { url: string; seen: SeenRequest[]; close: () => Promise<void> };
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const plan = (over: Partial<RunPlan> = {}): RunPlan => ({
  targetUrl: server.url,
  scenarios: [],
  workload: { type: "constant-vus", vus: 1, durationSec: 1 },
  secrets: { PASS: "secret" },
  ...over,
});
const login = (pass: string): RunPhase => ({
  steps: [
    {
      type: "request",
      name: "sign in",
      method: "POST",
      url: "/login",
      body: { json: { user: "ada", pass } },
      timeoutMs: 5000,
      checks: [],
      extract: [
        { type: "jsonPath", var: "token", path: "$.token" },
        { type: "jsonPath", var: "ttl", path: "$.expires" },
      ],
    },
    {
      type: "request",
      name: "me",
      method: "GET",
      url: "/me",
      headers: { authorization: "Bearer {{token}}" },
      timeoutMs: 5000,
      checks: [],
      extract: [],
    },
  ],
});

describe("a run's setup and teardown, run once", () => {
  it("runs the steps as one VU and gives what they extracted, by name", async () => {
    const outcome = await runPhase("setup", login("{{secrets.PASS}}"), plan(), "w1");
    expect(outcome.failure).toBeNull();
    expect(outcome.values).toEqual({ token: "tok-ada", ttl: "3600" });
    expect(outcome.requests.map((r) => [r.name, r.status, r.failure])).toEqual([
      ["sign in", 200, null],
      ["me", 200, null],
    ]);
  });

  it("fails at the first request that fails, naming it, and gives no values", async () => {
    const outcome = await runPhase("setup", login("wrong"), plan(), "w1");
    expect(outcome.failure).toBe("setup failed at POST sign in: status 401");
    expect(outcome.values).toEqual({});
  });

  it("renders the setup's values in a teardown", async () => {
    const teardown: RunPhase = {
      steps: [
        {
          type: "request",
          method: "GET",
          url: "/me",
          headers: { authorization: "Bearer {{setup.token}}" },
          timeoutMs: 5000,
          checks: [],
          extract: [],
        },
      ],
    };
    const outcome = await runPhase("teardown", teardown, plan({ setupValues: { token: "tok-grace" } }), "w1");
    expect(outcome.failure).toBeNull();
    expect(server.seen.at(-1)?.headers.authorization).toBe("Bearer tok-grace");
  });

  it("sends nothing where the run's target policy refuses", async () => {
    const seen = server.seen.length;
    const policy = { allow: ["example.com"], loopback: false, privateNetworks: false };
    const outcome = await runPhase("setup", login("secret"), plan({ targetPolicy: policy }), "w1");
    expect(outcome.failure).toBe("setup failed at POST sign in: blocked failure, no response");
    expect(server.seen.length).toBe(seen);
  });
});
