// local-run: the bench's load generator. What it reports must be what the target saw: the requests it
// counts (in-process and as the CLI prints them) against a local target that counts what it received.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { type LocalRunResult, localExecutor, localRun } from "./local-run.ts";
import { type CountingServer, countingServer } from "./test-support.ts";

const SCRIPT = fileURLToPath(new URL("./local-run.ts", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The fields the JSON line documents, as bench/tools/loadline.ts reads them. */
const FIELDS = [
  "requests",
  "durationSec",
  "rps",
  "p50Ms",
  "p99Ms",
  "maxMs",
  "servicep50Ms",
  "servicep99Ms",
  "droppedIterations",
  "failures",
  "rssMb",
].sort();

let server: CountingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Figures that hang together, whatever the load: a rate that is the count over the time, ordered percentiles. */
function expectConsistent(r: LocalRunResult): void {
  // Besides the figures: failures by kind, the protocol of the responses (none without one), and
  // the generator's health (a second each window; saturated ones a part of them).
  const { failuresByKind, protocol, generator, steadyP99Ms, steadyDropped, ...figures } = r;
  // From 2 s on: a part of the run's.
  if (steadyDropped !== undefined) expect(steadyDropped).toBeLessThanOrEqual(r.droppedIterations);
  if (steadyP99Ms !== undefined) expect(steadyP99Ms).toBeLessThanOrEqual(r.maxMs);
  expect(generator.saturatedSeconds).toBeLessThanOrEqual(generator.seconds);
  expect(Object.keys(figures).sort()).toEqual(FIELDS);
  expect(Object.values(failuresByKind).reduce((a, b) => a + b, 0)).toBe(r.failures);
  if (r.requests > r.failures) expect(protocol).toBe("http/1.1");
  for (const k of FIELDS) expect(Number.isFinite(r[k as keyof LocalRunResult]), k).toBe(true);
  expect(Number.isInteger(r.requests)).toBe(true);
  expect(Number.isInteger(r.rps)).toBe(true);
  // rps is rounded, from the duration before its rounding to the ms.
  const d = r.durationSec;
  expect(Math.abs(r.rps - r.requests / d)).toBeLessThanOrEqual(0.5 + (r.requests * 0.0005) / (d * (d - 0.0005)));
  expect(r.p50Ms).toBeGreaterThan(0);
  expect(r.p50Ms).toBeLessThanOrEqual(r.p99Ms);
  expect(r.p99Ms).toBeLessThanOrEqual(r.maxMs);
  expect(r.servicep50Ms).toBeGreaterThan(0);
  expect(r.servicep50Ms).toBeLessThanOrEqual(r.servicep99Ms);
  // Service time runs from the actual send, latency from the intended start: never shorter.
  expect(r.servicep50Ms).toBeLessThanOrEqual(r.p50Ms);
  expect(r.servicep99Ms).toBeLessThanOrEqual(r.p99Ms);
  expect(r.rssMb).toBeGreaterThan(10);
  expect(r.rssMb).toBeLessThan(4096);
}

/** Runs the CLI as the bench does (`node --import tsx local-run.ts ...`); resolves even when it fails. */
function cli(
  args: string[],
  opts: { interruptWhen?: () => boolean } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--import", "tsx", SCRIPT, ...args],
      { cwd: REPO_ROOT, timeout: 30_000, env: { ...process.env, NODE_OPTIONS: "" } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
    const { interruptWhen } = opts;
    if (interruptWhen) {
      const poll = setInterval(() => {
        if (!interruptWhen()) return;
        clearInterval(poll);
        child.kill("SIGINT");
      }, 20);
      child.on("exit", () => clearInterval(poll));
    }
  });
}

/** The one JSON line on stdout. */
function resultLine(stdout: string): LocalRunResult {
  const lines = stdout.split("\n").filter((l) => l.trim() !== "");
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as LocalRunResult;
}

describe("localExecutor", () => {
  it("is constant-vus without a rate, constant-arrival-rate with one", () => {
    expect(localExecutor({ url: "http://x", connections: 8, durationSec: 3, threads: 1 })).toEqual({
      type: "constant-vus",
      vus: 8,
      durationSec: 3,
    });
    expect(localExecutor({ url: "http://x", connections: 8, durationSec: 3, threads: 1, rate: 500, maxVUs: 50 })).toEqual({
      type: "constant-arrival-rate",
      rate: 500,
      timeUnitSec: 1,
      durationSec: 3,
      preAllocatedVUs: 8,
      maxVUs: 50,
    });
    // At least the preallocated VUs; the connections when no maximum is given.
    expect(localExecutor({ url: "http://x", connections: 8, durationSec: 3, threads: 1, rate: 500, maxVUs: 2 })).toMatchObject({
      maxVUs: 8,
    });
    expect(localExecutor({ url: "http://x", connections: 8, durationSec: 3, threads: 1, rate: 500 })).toMatchObject({ maxVUs: 8 });
  });
});

describe("localRun", () => {
  it("closed model: reports exactly the requests the target received, with sane figures", async () => {
    server = await countingServer({ delayMs: 5 });
    const r = await localRun({ url: `${server.url}/ping`, connections: 4, durationSec: 1, threads: 1 });
    expect(r.requests).toBe(server.total());
    expect(server.received).toEqual(new Map([["GET /ping", r.requests]]));
    // 4 connections, each request taking at least 5 ms: at most 4 × 200 in a second, and a good part of that.
    expect(r.requests).toBeGreaterThan(100);
    expect(r.requests).toBeLessThanOrEqual(4 * 200 + 4);
    expect(server.maxInFlight()).toBe(4);
    expect(r.failures).toBe(0);
    expect(r.droppedIterations).toBe(0);
    expect(r.durationSec).toBeGreaterThanOrEqual(0.99);
    expect(r.durationSec).toBeLessThan(2.5);
    expect(r.p50Ms).toBeGreaterThanOrEqual(4); // the target answers after 5 ms (a timer may fire a little early)
    expectConsistent(r);
  });

  it("open model: one request per arrival, the count exact", async () => {
    server = await countingServer({ delayMs: 2 });
    const r = await localRun({ url: `${server.url}/open`, connections: 2, durationSec: 1, threads: 1, rate: 200, maxVUs: 50 });
    expect(r.requests).toBe(server.total());
    // 200 arrivals in the second, each sent or (on a machine too busy to keep up) dropped and counted.
    expect(r.requests + r.droppedIterations).toBe(200);
    expect(r.droppedIterations).toBeLessThan(20);
    expect(r.failures).toBe(0);
    expect(r.p50Ms).toBeGreaterThanOrEqual(1);
    expectConsistent(r);
  });

  it("open model beyond its VUs: every arrival is either sent or counted as dropped", async () => {
    server = await countingServer({ delayMs: 100 });
    const r = await localRun({ url: `${server.url}/slow`, connections: 1, durationSec: 1, threads: 1, rate: 50, maxVUs: 2 });
    expect(r.requests).toBe(server.total());
    expect(server.maxInFlight()).toBeLessThanOrEqual(2);
    // Two VUs of 100 ms each: about 20 of the 50 arrivals go out, the rest are dropped.
    expect(r.requests).toBeGreaterThan(0);
    expect(r.requests).toBeLessThanOrEqual(24);
    expect(r.droppedIterations).toBeGreaterThan(0);
    expect(r.requests + r.droppedIterations).toBe(50);
    expect(r.p50Ms).toBeGreaterThanOrEqual(95);
    expectConsistent(r);
  });

  it("reports the latency percentiles the target's delays make: one request in ten slow, one very slow", async () => {
    let arrived = 0;
    // The 100th request takes 400 ms, every other tenth 150 ms, the rest 1 ms.
    const delayOf = (n: number) => (n === 100 ? 400 : n % 10 === 0 ? 150 : 1);
    server = await countingServer({ delayMs: () => delayOf(++arrived) });
    const r = await localRun({ url: `${server.url}/mixed`, connections: 20, durationSec: 1, threads: 1, rate: 200, maxVUs: 100 });
    expect(r.requests).toBe(server.total());
    expect(r.requests + r.droppedIterations).toBe(200);
    expect(r.requests).toBeGreaterThan(150);
    // 9 in 10 fast: the median is one of them. 1 in 10 slow: p99 is one of those, 150 ms. The max is the 400 ms one.
    expect(r.p50Ms).toBeLessThan(50);
    expect(r.servicep50Ms).toBeLessThan(50);
    for (const p99 of [r.p99Ms, r.servicep99Ms]) {
      expect(p99).toBeGreaterThanOrEqual(140); // a timer may fire a little early
      expect(p99).toBeLessThan(390);
    }
    expect(r.maxMs).toBeGreaterThanOrEqual(390);
    expect(r.maxMs).toBeLessThan(1500);
    expectConsistent(r);
  });

  it("leaves the run's first two seconds out of its steady figures, and has none in a shorter run", async () => {
    // Slow for the first second of requests, fast after: the start of a run, as a cold generator makes it.
    let slowUntil: number | undefined;
    server = await countingServer({
      delayMs: () => {
        slowUntil ??= performance.now() + 1000;
        return performance.now() < slowUntil ? 60 : 1;
      },
    });
    const r = await localRun({ url: `${server.url}/start`, connections: 20, durationSec: 4, threads: 1, rate: 100, maxVUs: 50 });
    expect(r.requests).toBe(server.total());
    expect(r.requests + r.droppedIterations).toBe(400);
    // A quarter of the run was slow: its p99 says so; from 2 s on, none was.
    expect(r.p99Ms).toBeGreaterThanOrEqual(55);
    expect(r.steadyP99Ms).toBeDefined();
    expect(r.steadyP99Ms!).toBeLessThan(30);
    expect(r.steadyDropped).toBe(0);
    expectConsistent(r);

    const short = await localRun({ url: `${server.url}/short`, connections: 2, durationSec: 1, threads: 1, rate: 50, maxVUs: 10 });
    expect([short.steadyP99Ms, short.steadyDropped]).toEqual([undefined, undefined]);
  });

  it("counts the failures the target answered", async () => {
    let answered = 0;
    let errors = 0;
    server = await countingServer({
      delayMs: 1,
      status: () => {
        if (++answered % 4 !== 0) return 200;
        errors++;
        return 503;
      },
    });
    const r = await localRun({ url: `${server.url}/flaky`, connections: 1, durationSec: 1, threads: 1, rate: 100, maxVUs: 50 });
    expect(r.requests).toBe(server.total());
    expect(r.requests + r.droppedIterations).toBe(100);
    expect(errors).toBe(Math.floor(r.requests / 4));
    expect(errors).toBeGreaterThan(15);
    expect(r.failures).toBe(errors);
    expectConsistent(r);
  });

  it("stops early when aborted, reporting what was sent until then", async () => {
    const target = await countingServer({ delayMs: 5 });
    server = target;
    // Aborted once the load is under way.
    const abort = new AbortController();
    let abortedAt = 0;
    const poll = setInterval(() => {
      if (target.total() < 20) return;
      clearInterval(poll);
      abortedAt = performance.now();
      abort.abort();
    }, 10);
    const t0 = performance.now();
    const r = await localRun({ url: `${target.url}/ping`, connections: 2, durationSec: 30, threads: 1 }, abort.signal);
    clearInterval(poll);
    expect(abortedAt).toBeGreaterThan(0);
    // Back within the stop's grace (requests of 5 ms), not after the 30 s asked for.
    expect(performance.now() - abortedAt).toBeLessThan(2000);
    expect(r.durationSec).toBeGreaterThan(0);
    expect(r.durationSec).toBeLessThanOrEqual((abortedAt - t0) / 1000 + 0.1);
    expect(r.requests).toBe(target.total());
    expect(r.requests).toBeGreaterThanOrEqual(20);
    expectConsistent(r);
  });

  it("does not lose an abort that came before the load started (an early Ctrl-C)", async () => {
    const target = await countingServer({ delayMs: 5 });
    server = target;
    const t0 = performance.now();
    const r = await localRun({ url: `${target.url}/ping`, connections: 2, durationSec: 30, threads: 1 }, AbortSignal.abort());
    // Back within the stop's grace, not after the 30 s asked for.
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(r.requests).toBe(target.total());
  });
});

describe("local-run CLI", () => {
  it("prints only the JSON line with --json, its count what the target received, over 2 threads", async () => {
    server = await countingServer({ delayMs: 2 });
    const { code, stdout, stderr } = await cli([
      "--url",
      `${server.url}/cli`,
      "--connections",
      "2",
      "--duration",
      "1",
      "--threads",
      "2",
      "--rate",
      "150",
      "--max-vus",
      "50",
      "--json",
    ]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const r = resultLine(stdout);
    expect(r.requests).toBe(server.total());
    expect(server.received.get("GET /cli")).toBe(r.requests);
    expect(r.requests + r.droppedIterations).toBe(150);
    expect(r.droppedIterations).toBeLessThan(15);
    expect(r.failures).toBe(0);
    expectConsistent(r);
  });

  it("prints a summary on stderr without --json, and the same JSON line on stdout", async () => {
    server = await countingServer({ delayMs: 2 });
    const { code, stdout, stderr } = await cli(["--url", `${server.url}/cli`, "--connections", "3", "--duration", "1"]);
    expect(code).toBe(0);
    const r = resultLine(stdout);
    expect(r.requests).toBe(server.total());
    expect(r.requests).toBeGreaterThan(50);
    expectConsistent(r);
    expect(stderr).toContain(`${server.url}/cli: 3 VUs, 1 thread(s), ${r.durationSec} s`);
    expect(stderr).toContain(`${r.requests} requests, ${r.rps} req/s, 0 failed, 0 dropped`);
    expect(stderr).toContain(`latency p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms`);
  });

  it("on SIGINT, stops and still prints what it sent", async () => {
    const target = await countingServer({ delayMs: 5 });
    server = target;
    const t0 = performance.now();
    // Interrupted once the load is under way (its SIGINT handler is set before the first request goes out).
    const { code, stdout } = await cli(["--url", `${target.url}/long`, "--connections", "2", "--duration", "60", "--json"], {
      interruptWhen: () => target.total() >= 20,
    });
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect(code).toBe(0);
    const r = resultLine(stdout);
    expect(r.requests).toBe(target.total());
    expect(r.requests).toBeGreaterThanOrEqual(20);
    expect(r.durationSec).toBeLessThan(10);
    expectConsistent(r);
  });

  it("refuses bad options with the usage and exit code 2", async () => {
    for (const args of [[], ["--url", "http://127.0.0.1:1", "--duration", "0"], ["--url", "http://127.0.0.1:1", "--connections", "x"]]) {
      const { code, stdout, stderr } = await cli(args);
      expect(code, args.join(" ")).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toContain("usage: local-run.ts --url URL");
    }
    expect((await cli([])).stderr).toContain("--url is required");
    expect((await cli(["--url", "http://127.0.0.1:1", "--duration", "0"])).stderr).toContain("--duration must be a positive number");
  });
});
