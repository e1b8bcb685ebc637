import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StackFixture, startTestStack } from "./fixture.ts";

const root = fileURLToPath(new URL("../../..", import.meta.url));
let f: StackFixture;

beforeAll(async () => {
  f = await startTestStack();
});
afterAll(() => f?.close());

/** The real CLI entry, against the fixture's NATS, namespace and database. */
function cli(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "packages/loadline/src/cli.ts", "projections", ...args], {
    cwd: root,
    env: {
      ...process.env,
      NATS_URL: f.stack.natsUrl,
      LL_NAMESPACE: f.stack.ns.prefix,
      DATABASE_URL: f.databaseUrl,
      LOG_LEVEL: "silent",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stdout, stderr })));
}

describe("loadline projections", () => {
  it("shows each projection's checkpoint and lag, and rebuilds one while the API keeps serving", async () => {
    const spec = {
      targetUrl: "http://127.0.0.1:1",
      requests: [{ method: "GET" as const, path: "/" }],
      defaultUsers: 1,
      defaultSpawnRate: 1,
      defaultDurationSec: 1,
    };
    const created = await f.api.createLoadTest({ name: "cli", ...spec });

    const status = await cli(["status", "--json"]);
    expect(status.code).toBe(0);
    const { items } = JSON.parse(status.stdout) as { items: { name: string; checkpoint: number; lag: number; deadLetters: number }[] };
    expect(items.map((i) => i.name)).toEqual(["events", "metrics"]);
    expect(items[0]).toMatchObject({ lag: 0, deadLetters: 0, state: "ok", lastError: null });
    expect(items[0]!.checkpoint).toBeGreaterThan(0);
    const table = await cli(["status"]);
    expect(table.stdout).toMatch(/^projection\s+stream\s+checkpoint\s+stream last\s+lag\s+dead letters\s+state\n/);
    expect(table.stdout).toMatch(/\nevents\s.*\s0\s+ok\n/);

    const rebuild = await cli(["rebuild", "events"]);
    expect(rebuild.code).toBe(0);
    expect(rebuild.stdout).toMatch(/^rebuilt events from seq 1 to \d+: \d+ messages in [\d.]+ s \(\d+\/s\), swapped in/);
    const path = `/v1/load-tests/${created.id}`;
    expect(await (await f.api.fetch(path)).json()).toMatchObject({ id: created.id, name: "cli", version: 1 });
    // The live projector goes on into the swapped-in tables.
    const put = await f.api.fetch(path, {
      method: "PUT",
      headers: { "content-type": "application/json", "if-match": '"1"' },
      body: JSON.stringify({ name: "cli2", ...spec }),
    });
    expect(await put.json()).toMatchObject({ name: "cli2", version: 2 });
  });

  it("refuses bad usage with exit 2 and a message", async () => {
    const cases = [
      ["rebuild", "nope"],
      ["rebuild", "events", "--from-seq", "zero"],
      ["rebuild", "events", "--from-time", "soon"],
      ["rebuild", "events", "--from-seq", "1", "--from-time", "2026-01-01T00:00:00Z"],
      ["vacuum"],
    ];
    const [noDatabase, ...results] = await Promise.all([cli(["status"], { DATABASE_URL: "" }), ...cases.map((args) => cli(args))]);
    for (const [i, r] of results.entries()) {
      expect([cases[i]!.join(" "), r.code, r.stderr.length > 0]).toEqual([cases[i]!.join(" "), 2, true]);
    }
    expect([noDatabase!.code, noDatabase!.stderr]).toEqual([2, expect.stringContaining("DATABASE_URL")]);
  });
});
