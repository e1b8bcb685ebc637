import { describe, expect, it } from "vitest";
import { specTargetRefusal } from "../access/target-check.ts";
import { loadTestInputSchema } from "../schemas/load-test.ts";
import { secretReferences } from "./secrets.ts";
import { phaseBudgetMs, setupVariables } from "./setup.ts";

const signIn = {
  type: "request",
  name: "sign in",
  method: "POST",
  url: "/login",
  headers: { authorization: "Basic {{secrets.LOGIN}}" },
  extract: [{ type: "jsonPath", var: "token", path: "$.token" }],
};
const spec = (over: Record<string, unknown>) => ({
  name: "t",
  targetUrl: "http://127.0.0.1:3000",
  workload: { type: "constant-vus", vus: 1, durationSec: 1 },
  setup: { steps: [signIn] },
  scenarios: [{ name: "s", steps: [{ type: "request", url: "/me", headers: { authorization: "Bearer {{setup.token}}" } }] }],
  ...over,
});
const issues = (input: unknown) =>
  loadTestInputSchema.safeParse(input).error?.issues.map((i) => ({ path: i.path.join("."), message: i.message })) ?? [];

describe("setup and teardown in a test", () => {
  it("lets every scenario and the teardown read what the setup extracts", () => {
    const teardown = { steps: [{ type: "request", method: "DELETE", url: "/sessions/{{setup.token}}" }] };
    expect(issues(spec({ teardown }))).toEqual([]);
    const parsed = loadTestInputSchema.parse(spec({ teardown }));
    expect(setupVariables(parsed.setup)).toEqual(["setup.token"]);
  });

  it("refuses a setup value nobody extracts, naming the field", () => {
    const scenarios = [{ name: "s", steps: [{ type: "request", url: "/me?t={{setup.nope}}" }] }];
    expect(issues(spec({ scenarios }))).toEqual([
      { path: "scenarios.0.steps.0.url", message: expect.stringContaining("{{setup.nope}} is not extracted by the test's setup") },
    ]);
    // A setup reads only what it extracted itself, in order.
    const setup = { steps: [{ type: "request", url: "/x?t={{setup.token}}" }, signIn] };
    expect(issues(spec({ setup }))).toEqual([
      { path: "setup.steps.0.url", message: expect.stringContaining("{{setup.token}} is not extracted") },
    ]);
  });

  it("takes request and think steps only, and at least one", () => {
    const ws = { type: "ws", url: "/ws", actions: [{ type: "close" }] };
    expect(issues(spec({ teardown: { steps: [ws] } }))[0]).toMatchObject({
      path: "teardown.steps.0.type",
      message: "a setup or teardown step's type must be request or think",
    });
    expect(issues(spec({ teardown: { steps: [] } }))[0]?.path).toBe("teardown.steps");
  });

  it("applies the input rules and the target policy to their steps too", () => {
    const inline = { steps: [{ type: "request", url: "/x", headers: { authorization: "Bearer hunter2" } }] };
    expect(issues(spec({ teardown: inline }))[0]?.path).toBe("teardown.steps.0.headers.authorization");
    const elsewhere = { steps: [{ type: "request", url: "http://10.0.0.9/wipe" }] };
    const policy = { allow: ["127.0.0.1"], loopback: true, privateNetworks: false };
    expect(specTargetRefusal(loadTestInputSchema.parse(spec({ teardown: elsewhere })), policy)?.field).toBe("teardown.steps.0.url");
  });

  it("counts the setup's secrets among the run's, and budgets its time from its timeouts and think times", () => {
    const parsed = loadTestInputSchema.parse(spec({}));
    expect(secretReferences(parsed)).toEqual(["LOGIN"]);
    const think = { type: "think", distribution: "uniform", minMs: 100, maxMs: 2_000 };
    const setup = loadTestInputSchema.parse(spec({ setup: { steps: [signIn, think, { ...signIn, timeoutMs: 3_000 }] } })).setup!;
    expect(phaseBudgetMs(setup)).toBe(60_000 + 2_000 + 3_000);
  });
});
