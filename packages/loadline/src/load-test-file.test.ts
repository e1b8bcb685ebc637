import { mkdtempSync, writeFileSync } from "node:fs";
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

  it("refuses a file that is not a YAML object", () => {
    expect(() => loadTestFile(write("bad.yaml", "name: [unclosed"))).toThrow(TestFileError);
    expect(() => loadTestFile(write("list.yaml", "- a\n- b\n"))).toThrow(/holds one object/);
  });
});
