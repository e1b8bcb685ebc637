import { describe, expect, it } from "vitest";
import type { ParamSpec } from "../config/schema.ts";
import { buildArgv } from "./argv.ts";
import { paramsRefusal } from "./params.ts";
import { actionEnv, runCommand } from "./run-command.ts";

const node = process.execPath;

describe("parameters, checked against their specs", () => {
  const specs: Record<string, ParamSpec> = {
    name: { type: "string", pattern: "[a-z]+", maxLength: 8, required: true },
    count: { type: "number", integer: true, min: 1, max: 10 },
    ratio: { type: "number", min: 0, max: 1 },
    on: { type: "boolean" },
    mode: { type: "enum", values: ["fast", "slow"] },
    note: { type: "string" },
    offset: { type: "string", pattern: "-?[0-9]+" },
  };

  it("accepts what fits", () => {
    expect(paramsRefusal(specs, { name: "abc", count: 3, ratio: 0.5, on: false, mode: "slow" })).toBeNull();
    expect(paramsRefusal(specs, { name: "abc" })).toBeNull();
    expect(paramsRefusal(specs, { name: "abc", note: "a - b", offset: "-3" })).toBeNull(); // a dash its pattern allows
  });

  it.each([
    [{}, "parameter name is required"],
    [{ name: "abc", extra: 1 }, "unknown parameter extra"],
    [{ name: 5 }, "parameter name must be a string, not number"],
    [{ name: "ABC" }, "parameter name does not match [a-z]+"],
    [{ name: "abc; rm" }, "parameter name does not match [a-z]+"],
    [{ name: "abcdefghij" }, "parameter name is longer than 8 characters"],
    [{ name: "a\u0000b" }, "parameter name may not hold control characters"],
    [{ name: "abc", count: "3" }, "parameter count must be a number, not string"],
    [{ name: "abc", count: 2.5 }, "parameter count must be an integer"],
    [{ name: "abc", count: 0 }, "parameter count must be at least 1"],
    [{ name: "abc", ratio: 2 }, "parameter ratio must be at most 1"],
    [{ name: "abc", on: "true" }, "parameter on must be a boolean, not string"],
    [{ name: "abc", mode: "medium" }, "parameter mode must be one of fast, slow"],
    [
      { name: "abc", note: "--upload-pack=touch /tmp/x" },
      "parameter note may not begin with - (give the parameter a pattern that allows it)",
    ],
  ])("refuses %j: %s", (params, reason) => {
    expect(paramsRefusal(specs, params)).toBe(reason);
  });
});

describe("argv from the command and the parameters", () => {
  it("replaces placeholders inside their own element only, as plain text", () => {
    const command = ["/usr/bin/flagctl", "set", "{{name}}", "--value={{value}}", "{{ note }}"];
    expect(buildArgv(command, { name: "a b; rm -rf /", value: true, note: "$(id)" })).toEqual([
      "/usr/bin/flagctl",
      "set",
      "a b; rm -rf /",
      "--value=true",
      "$(id)",
    ]);
  });

  it("leaves out a whole-element placeholder whose optional parameter is not given; empty inside an element", () => {
    expect(buildArgv(["/bin/x", "{{opt}}", "--n={{opt}}"], {})).toEqual(["/bin/x", "--n="]);
  });
});

describe("running a command", () => {
  const opts = { timeoutMs: 10_000, maxOutputBytes: 1024, killGraceMs: 500 };

  it("captures stdout and stderr together with the exit code, no shell in between", async () => {
    const r = await runCommand([node, "-e", "console.log('out'); console.error('err'); process.exit(3)"], opts).result;
    expect(r).toMatchObject({ kind: "exited", exitCode: 3, truncated: false });
    expect(r.kind === "exited" && r.output.split("\n").sort().join(" ").trim()).toBe("err out");
    const noShell = await runCommand(["/bin/echo", "$HOME", "`id`", ";", "ls"], opts).result;
    expect(noShell).toMatchObject({ kind: "exited", exitCode: 0, output: "$HOME `id` ; ls\n" });
  });

  it("keeps at most maxOutputBytes, and says it cut", async () => {
    const r = await runCommand([node, "-e", "process.stdout.write('x'.repeat(200000))"], { ...opts, maxOutputBytes: 100 }).result;
    expect(r).toMatchObject({ kind: "exited", exitCode: 0, truncated: true, output: "x".repeat(100) });
  });

  it("ends it at the timeout: SIGTERM, then SIGKILL when ignored", async () => {
    const t0 = Date.now();
    const r = await runCommand([node, "-e", "process.on('SIGTERM', () => {}); setTimeout(() => {}, 20000); console.log('up')"], {
      ...opts,
      timeoutMs: 500,
    }).result;
    expect(r).toMatchObject({ kind: "timed-out", output: "up\n" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it("stops it when asked", async () => {
    const run = runCommand([node, "-e", "setTimeout(() => {}, 20000)"], opts);
    setTimeout(() => run.stop(), 200);
    expect(await run.result).toMatchObject({ kind: "stopped" });
  });

  it("tells a program that cannot start", async () => {
    expect(await runCommand(["/no/such/program"], opts).result).toMatchObject({
      kind: "not-started",
      error: expect.stringContaining("ENOENT"),
    });
    expect(await runCommand(["/bin/echo", "a\u0000b"], opts).result).toMatchObject({ kind: "not-started" });
  });

  it("passes no NATS or Loadline settings to the action", () => {
    expect(actionEnv({ PATH: "/bin", NATS_URL: "x", LL_AGENT_CONFIG: "y", HOME: "/h" })).toEqual({ PATH: "/bin", HOME: "/h" });
  });
});
