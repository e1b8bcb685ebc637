import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { floorCommand, parseFloor } from "../tools/floor.ts";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "../..");
let dir: string;
let binary: string;
let server: Server;
let url: string;
let received = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "floor-c-"));
  binary = join(dir, "floor-c");
  // As bench/run.sh builds it: warnings are errors here, so the source stays clean.
  await run("cc", ["-O2", "-Wall", "-Wextra", "-Werror", "-o", binary, join(ROOT, "bench/self-noise/floor.c")]);
  server = createServer((_req, res) => {
    received++;
    res.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("floor.c, the self-noise floor without Node", () => {
  it("sends rate × duration requests over its pool and reports them in floor.ts's line, the steady part apart", async () => {
    const c = floorCommand({ url, rate: 400, durationSec: 2.5, max: 64, client: "c" }, ROOT, binary);
    const { stdout } = await run(c.cmd, c.args, { cwd: c.cwd, timeout: 20_000 });
    const r = parseFloor(stdout);
    // Every arrival is sent or dropped (this server, in the test's own process, may stall past the pool), and the server got what was sent.
    expect(r.requests + (r.extra?.droppedIterations ?? Number.NaN)).toBe(1000);
    expect(r.requests).toBeGreaterThan(900);
    expect(received).toBe(r.requests);
    expect(r.failures).toBe(0);
    expect(r.durationSec).toBeGreaterThanOrEqual(2.49);
    expect(r.rps).toBeGreaterThan(360);
    // A latency counts from the intended start: never below the service's, and ordered.
    expect(r.p50Ms).toBeGreaterThan(0);
    expect(r.p99Ms).toBeGreaterThanOrEqual(r.p50Ms);
    expect(r.maxMs).toBeGreaterThanOrEqual(r.p99Ms);
    expect(r.extra?.steadyP99Ms).toBeGreaterThan(0);
  });

  it("fails with exit 1 and the reason when the target refuses, and with exit 2 and its usage on bad arguments", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(run(binary, ["--url", `http://127.0.0.1:${port}/`, "--rate", "10", "--duration", "1"])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/connect: Connection refused/),
    });
    await expect(run(binary, ["--url", "http://localhost/", "--rate", "10"])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^usage: floor-c --url http:\/\/IPV4:PORT/),
    });
  });
});
