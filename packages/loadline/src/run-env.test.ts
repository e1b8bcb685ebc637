// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} placeholders are what these tests are about.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnvFile, RunEnvError, runEnvOf } from "./run-env.ts";

const spec = {
  name: "${NOT_SUBSTITUTED}",
  targetUrl: "${BASE_URL}",
  scenarios: [{ name: "s", steps: [{ type: "request", url: "/", headers: { "X-Api": "{{env.API}}", "X-V": "${V:-1}" } }] }],
};

describe("parseEnvFile", () => {
  it("reads NAME=value lines, export, comments and quotes", () => {
    expect(parseEnvFile("# c\n\nexport A=1\nB = \" two \"\nC='x=y'\nD=\n", ".env")).toEqual({ A: "1", B: " two ", C: "x=y", D: "" });
    expect(() => parseEnvFile("not a line\n", ".env")).toThrow(/\.env:1: expected NAME=value/);
  });
});

describe("runEnvOf", () => {
  it("takes only the names the run's fields use: --env over --env-file over the process when allowed", () => {
    const dir = mkdtempSync(join(tmpdir(), "loadline-env-"));
    writeFileSync(join(dir, ".env"), "BASE_URL=http://file\nAPI=file\nOTHER=secret\n");
    const processEnv = { API: "process", V: "2", HOME: "/root" };
    expect(runEnvOf(spec, {}, { args: ["BASE_URL=http://arg"], envFile: join(dir, ".env"), processEnv })).toEqual({
      BASE_URL: "http://arg",
      API: "file",
      V: "2",
    });
    expect(runEnvOf({ ...spec, targetUrl: "http://x" }, {}, { args: ["API=a"], processEnv: {} })).toEqual({ API: "a" });
    // The file's own `run: { env }` is under --env-file and --env, over the process.
    const overrides = { durationSec: 2, env: { BASE_URL: "http://run", API: "run", UNUSED: "x" } };
    expect(runEnvOf(spec, overrides, { args: ["API=arg"], processEnv })).toEqual({ BASE_URL: "http://run", API: "arg", V: "2" });
  });

  it("refuses a name not set, naming the field; a default needs none", () => {
    expect(() => runEnvOf(spec, {}, { args: ["BASE_URL=http://x"] })).toThrow(
      new RunEnvError("scenarios.0.steps.0.headers.X-Api: {{env.API}} is not set"),
    );
    expect(() => runEnvOf(spec, {}, { args: ["bad=x"] })).toThrow(/--env: expected NAME=value/);
    expect(runEnvOf({ targetUrl: "${B:-http://x}" }, {}, {})).toBeUndefined();
  });
});
