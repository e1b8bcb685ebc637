import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
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

const ctx = () => ({ config: loadConfig({}), log: createLogger("test", "silent"), port: 0, dataDir: "" });

/** The example file, pointed at this test's demo target and shortened. */
function exampleFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "loadline-run-"));
  copyFileSync(join(examples, "users.csv"), join(dir, "users.csv"));
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
    const { items } = (await (await fetch(`${f.stack.apiUrl}/v1/runs`)).json()) as { items: { id: string }[] };
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
});
