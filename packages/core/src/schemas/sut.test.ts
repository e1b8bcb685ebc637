import { describe, expect, it } from "vitest";
import { compileRun } from "../scenario/compile-run.ts";
import { loadTestSpecSchema } from "./load-test.ts";

const base = {
  name: "sut",
  targetUrl: "http://127.0.0.1:3000",
  requests: [{ method: "GET", path: "/" }],
  defaultUsers: 1,
  defaultSpawnRate: 1,
  defaultDurationSec: 10,
};

describe("a test's system under test and timeline", () => {
  it("are carried into the run's target", () => {
    const spec = loadTestSpecSchema.parse({
      ...base,
      sut: { labels: { service: "api" } },
      timeline: [{ atSec: 3, agent: { service: "api" }, action: "slow-down", params: { ms: 250 } }],
      thresholds: { "sut{series:host.cpu.busy}": ["max < 90"] },
    });
    const { target } = compileRun(spec);
    expect(target.sut).toEqual({ labels: { service: "api" } });
    expect(target.timeline).toEqual([{ atSec: 3, agent: { service: "api" }, action: "slow-down", params: { ms: 250 } }]);
  });

  it("refuse, naming the field: a selector without labels, a bad action name, a sut threshold without sut labels", () => {
    const issues = (over: Record<string, unknown>) =>
      (loadTestSpecSchema.safeParse({ ...base, ...over }).error?.issues ?? []).map((i) => i.path.join("."));
    expect(issues({ sut: { labels: {} } })).toEqual(["sut.labels"]);
    expect(issues({ timeline: [{ atSec: 1, agent: { service: "api" }, action: "Rm -rf" }] })).toEqual(["timeline.0.action"]);
    expect(issues({ thresholds: { "sut{series:host.cpu.busy}": ["max < 90"] } })).toEqual(["thresholds.sut{series:host.cpu.busy}"]);
  });
});
