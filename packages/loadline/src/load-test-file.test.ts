import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadTestFile, TestFileError } from "./load-test-file.ts";

const dir = mkdtempSync(join(tmpdir(), "loadline-file-"));
const write = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

describe("loadTestFile", () => {
  it("reads YAML, inlines a CSV data file relative to the test, and separates the run's overrides", () => {
    write("users.csv", "user,password\nann,pw1\n");
    const file = write(
      "test.yaml",
      `name: login
targetUrl: http://127.0.0.1:3000
defaultUsers: 2
defaultSpawnRate: 2
defaultDurationSec: 5
scenarios:
  - name: login
    data: { file: users.csv, mode: unique }
    steps:
      - { type: request, method: POST, url: /login }
run:
  durationSec: 3
`,
    );
    const { spec, overrides } = loadTestFile(file);
    expect(overrides).toEqual({ durationSec: 3 });
    expect(spec).not.toHaveProperty("run");
    expect((spec.scenarios as { data: unknown }[])[0]!.data).toEqual({ mode: "unique", csv: "user,password\nann,pw1\n" });
  });

  it("reads JSON, and a JSON data file as rows", () => {
    write("rows.json", '[{"sku":"A1"},{"sku":"B2"}]');
    const file = write("test.json", JSON.stringify({ name: "j", scenarios: [{ name: "s", data: { file: "rows.json" }, steps: [] }] }));
    expect((loadTestFile(file).spec.scenarios as { data: unknown }[])[0]!.data).toEqual({ rows: [{ sku: "A1" }, { sku: "B2" }] });
  });

  it("names the data file it cannot read", () => {
    const file = write("missing.yaml", "name: m\nscenarios:\n  - name: s\n    data: { file: nope.csv }\n");
    expect(() => loadTestFile(file)).toThrow(/scenarios\.0\.data\.file: cannot read .*nope\.csv/);
  });

  it("reads a grpc step's protoFile beside the file that names it into its proto, and names one it cannot read", () => {
    mkdirSync(join(dir, "protos"), { recursive: true });
    write("protos/echo.proto", 'syntax = "proto3";\n');
    write("protos/rpc-steps.yaml", "- { type: grpc, protoFile: echo.proto, service: demo.Echo, method: Say }\n");
    const file = write("grpc.yaml", "name: g\nscenarios:\n  - name: s\n    steps:\n      - include: protos/rpc-steps.yaml\n");
    const steps = (loadTestFile(file).spec.scenarios as { steps: object[] }[])[0]!.steps;
    expect(steps).toEqual([{ type: "grpc", proto: 'syntax = "proto3";\n', service: "demo.Echo", method: "Say" }]);
    const missing = write(
      "grpc-missing.yaml",
      "name: g\nscenarios:\n  - name: s\n    steps:\n      - { type: grpc, protoFile: nope.proto }\n",
    );
    expect(() => loadTestFile(missing)).toThrow(/scenarios\.0\.steps\.0\.protoFile: cannot read .*nope\.proto/);
  });

  it("refuses a file that is not a YAML object", () => {
    expect(() => loadTestFile(write("bad.yaml", "name: [unclosed"))).toThrow(TestFileError);
    expect(() => loadTestFile(write("list.yaml", "- a\n- b\n"))).toThrow(/holds one object/);
  });

  it("expands included scenarios and steps, each file's data relative to itself, in order", () => {
    mkdirSync(join(dir, "parts/data"), { recursive: true });
    write("parts/data/skus.csv", "sku\nA1\n");
    write("parts/login-steps.yaml", "- { type: request, method: POST, path: /login }\n- { type: think, seconds: 1 }\n");
    write(
      "parts/browse.yaml",
      "name: browse\ndata: { file: data/skus.csv }\nsteps:\n  - include: login-steps.yaml\n  - { type: request, method: GET, path: /items }\n",
    );
    write("parts/two.yaml", "- { name: a, steps: [{ include: login-steps.yaml }] }\n- { name: b, steps: [] }\n");
    const file = write(
      "included.yaml",
      "name: i\nscenarios:\n  - include: parts/browse.yaml\n  - include: parts/two.yaml\n  - { name: own, steps: [] }\n",
    );
    const scenarios = loadTestFile(file).spec.scenarios as { name: string; data?: unknown; steps: { path?: string; type: string }[] }[];
    expect(scenarios.map((s) => s.name)).toEqual(["browse", "a", "b", "own"]);
    expect(scenarios[0]!.data).toEqual({ csv: "sku\nA1\n" });
    expect(scenarios[0]!.steps.map((s) => s.path ?? s.type)).toEqual(["/login", "think", "/items"]);
    expect(scenarios[1]!.steps.map((s) => s.path ?? s.type)).toEqual(["/login", "think"]);
  });

  it("refuses an include that loops, that it cannot read, or that holds no steps, naming the field", () => {
    write("loop-a.yaml", "- include: loop-b.yaml\n");
    write("loop-b.yaml", "- include: loop-a.yaml\n");
    const looping = write("loops.yaml", "name: l\nscenarios:\n  - include: loop-a.yaml\n");
    expect(() => loadTestFile(looping)).toThrow(
      /scenarios\.0\.include\.0\.include\.0\.include: loop-a\.yaml includes itself \(loops\.yaml → loop-a\.yaml → loop-b\.yaml → loop-a\.yaml\)/,
    );
    const missing = write("missing-include.yaml", "name: m\nscenarios:\n  - { name: s, steps: [{ include: nope.yaml }] }\n");
    expect(() => loadTestFile(missing)).toThrow(/scenarios\.0\.steps\.0\.include: cannot read .*nope\.yaml/);
    write("not-steps.yaml", "name: just a scenario\n");
    const wrong = write("wrong-include.yaml", "name: w\nscenarios:\n  - { name: s, steps: [{ include: not-steps.yaml }] }\n");
    expect(() => loadTestFile(wrong)).toThrow(/scenarios\.0\.steps\.0\.include: not-steps\.yaml holds no steps/);
  });

  it("expands a block of steps into steps of its group, includes inside it too; groups do not nest", () => {
    write("pay-steps.yaml", "- { type: request, url: /pay }\n");
    const file = write(
      "groups.yaml",
      `name: g
targetUrl: http://127.0.0.1:3000
setup:
  steps:
    - include: pay-steps.yaml
scenarios:
  - name: shop
    steps:
      - { type: request, url: /home }
      - group: checkout
        steps:
          - { type: request, url: /cart, tags: { kind: api } }
          - include: pay-steps.yaml
`,
    );
    const { spec } = loadTestFile(file);
    expect((spec.scenarios as { steps: unknown[] }[])[0]!.steps).toEqual([
      { type: "request", url: "/home" },
      { type: "request", url: "/cart", tags: { kind: "api" }, group: "checkout" },
      { type: "request", url: "/pay", group: "checkout" },
    ]);
    expect(spec.setup).toEqual({ steps: [{ type: "request", url: "/pay" }] });
    const nested = write(
      "nested.yaml",
      "name: n\nscenarios:\n  - name: s\n    steps:\n      - group: a\n        steps:\n          - group: b\n            steps: [{ type: request, url: /x }]\n",
    );
    expect(() => loadTestFile(nested)).toThrow(/scenarios.0.steps.0.steps.0: a group inside group "a": groups do not nest/);
  });

  it("reads a Locust test's locustfile from a file beside it", () => {
    write("locustfile.py", "from locust import HttpUser, task\n");
    const file = write("locust.yaml", "name: l\nengine: locust\nlocustfile: { file: locustfile.py }\n");
    expect(loadTestFile(file).spec.locustfile).toBe("from locust import HttpUser, task\n");
    const missing = write("locust-missing.yaml", "name: l\nengine: locust\nlocustfile: { file: nope.py }\n");
    expect(() => loadTestFile(missing)).toThrow(/locustfile.file: cannot read/);
  });
});
