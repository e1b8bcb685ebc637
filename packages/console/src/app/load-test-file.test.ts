import { describe, expect, it } from "vitest";
import { lineOfField, NEW_TEST_TEMPLATE, overridesOf, parseTestFile, TestFileProblem, testFileOf } from "./load-test-file.ts";
import type { LoadTestView } from "./types.ts";

const FILE = `name: checkout
targetUrl: http://127.0.0.1:3000
requests:
  - name: home
    method: GET
    path: /
  - name: cart
    method: POST
    path: cart
defaultUsers: 10
defaultSpawnRate: 5
defaultDurationSec: 60
run:
  targetUsers: 20
`;

describe("parseTestFile", () => {
  it("splits the file into the API's body and the run's overrides, as loadline run does", () => {
    const { spec, overrides } = parseTestFile(FILE);
    expect(overrides).toEqual({ targetUsers: 20 });
    expect(spec).not.toHaveProperty("run");
    expect(spec).toMatchObject({
      name: "checkout",
      defaultUsers: 10,
      requests: [{ name: "home", method: "GET", path: "/" }, { path: "cart" }],
    });
  });

  it("reads JSON too, and the template is a valid file", () => {
    expect(parseTestFile('{"name": "a", "targetUrl": "http://x"}').spec).toEqual({ name: "a", targetUrl: "http://x" });
    expect(parseTestFile(NEW_TEST_TEMPLATE).spec).toMatchObject({ name: "checkout", thresholds: { latency: ["p(95) < 500"] } });
  });

  it("says the line of a YAML syntax error", () => {
    const bad = "name: a\ntargetUrl: http://x\nrequests:\n  - name: [home\n";
    const err = (() => {
      try {
        parseTestFile(bad);
      } catch (e) {
        return e as TestFileProblem;
      }
    })();
    expect(err).toBeInstanceOf(TestFileProblem);
    expect(err?.line).toBeGreaterThanOrEqual(4);
    expect(err?.message).toMatch(/^line \d+: /);
  });

  it("refuses what is not one object, a run section that is not one, and data files it cannot read", () => {
    expect(() => parseTestFile("- a\n- b\n")).toThrow(/one object/);
    expect(() => parseTestFile("name: a\nrun: 5\n")).toThrow(expect.objectContaining({ field: "run", line: 2 }));
    const withFile = "name: a\nscenarios:\n  - name: s\n    data:\n      file: users.csv\n";
    expect(() => parseTestFile(withFile)).toThrow(expect.objectContaining({ field: "scenarios.0.data.file", line: 5 }));
  });
});

describe("lineOfField", () => {
  it("points at the line of the field the API named", () => {
    expect(lineOfField(FILE, "name")).toBe(1);
    expect(lineOfField(FILE, "requests.1.path")).toBe(9);
    expect(lineOfField(FILE, "requests.1")).toBe(7);
    expect(lineOfField(FILE, "defaultSpawnRate")).toBe(11);
  });

  it("points at the deepest part present when the field is missing", () => {
    expect(lineOfField(FILE, "requests.1.headers")).toBe(7);
    expect(lineOfField(FILE, "requests.5.path")).toBe(3);
    expect(lineOfField(FILE, "thresholds")).toBe(1);
    expect(lineOfField("{ bad", "name")).toBe(1);
  });
});

describe("testFileOf", () => {
  const view: LoadTestView = {
    id: "t1",
    name: "checkout",
    description: null,
    tags: [],
    targetUrl: "http://127.0.0.1:3000",
    requests: [{ name: "home", method: "GET", path: "/" }],
    scenarios: null,
    workload: null,
    defaultUsers: 10,
    defaultSpawnRate: 5,
    defaultDurationSec: 60,
    maxDurationSec: null,
    thresholds: { latency: ["p(95) < 500"] },
    envId: null,
    metadata: null,
    baselineRunId: null,
    version: 3,
    createdAt: "2026-01-01T00:00:00Z",
    updatedAt: "2026-01-01T00:00:00Z",
    updatedBy: "key:1",
  };

  it("writes the spec's fields only, and reads back to the same spec", () => {
    const text = testFileOf(view);
    expect(text).not.toMatch(/\b(id|version|createdAt|baselineRunId|scenarios|tags|description):/);
    expect(parseTestFile(text).spec).toEqual({
      name: "checkout",
      targetUrl: "http://127.0.0.1:3000",
      requests: [{ name: "home", method: "GET", path: "/" }],
      defaultUsers: 10,
      defaultSpawnRate: 5,
      defaultDurationSec: 60,
      thresholds: { latency: ["p(95) < 500"] },
    });
  });

  it("keeps the test's environment and metadata: a save from the editor does not clear them", () => {
    const text = testFileOf({ ...view, envId: "staging", metadata: { team: "checkout", build: 42 } });
    expect(parseTestFile(text).spec).toMatchObject({ envId: "staging", metadata: { team: "checkout", build: 42 } });
  });
});

describe("overridesOf", () => {
  it("keeps the fields given, as numbers", () => {
    expect(overridesOf({ targetUsers: " 20 ", spawnRate: "", durationSec: "7.5" })).toEqual({ targetUsers: 20, durationSec: 7.5 });
    expect(overridesOf({})).toEqual({});
    expect(() => overridesOf({ targetUsers: "many" })).toThrow(/targetUsers/);
  });
});
