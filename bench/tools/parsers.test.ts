// Each parser against outputs captured from the real tools on this machine (tools/fixtures/),
// and against broken outputs, which must raise an error rather than yield zeros.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { autocannonCommand, parseAutocannon } from "./autocannon.ts";
import { floorCommand, parseFloor } from "./floor.ts";
import { heyCommand, parseHey } from "./hey.ts";
import { loadlineCommand, parseLoadline } from "./loadline.ts";
import { locustCommand, parseLocust } from "./locust.ts";
import { ParseError } from "./types.ts";
import { countValue, timeToMs } from "./units.ts";
import { parseWrk, wrkCommand } from "./wrk.ts";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");
const opts = { url: "http://127.0.0.1:8080/", connections: 64, durationSec: 10 };

describe("units", () => {
  it("reads wrk's time and count formats", () => {
    expect(timeToMs("t", "812.00us")).toBeCloseTo(0.812);
    expect(timeToMs("t", "24.45ms")).toBe(24.45);
    expect(timeToMs("t", "1.01s")).toBe(1010);
    expect(timeToMs("t", "1.50m")).toBe(90_000);
    expect(countValue("t", "35.87k")).toBeCloseTo(35_870);
    expect(countValue("t", "512")).toBe(512);
  });
  it("rejects what is not a figure", () => {
    expect(() => timeToMs("t", "nan")).toThrow(ParseError);
    expect(() => timeToMs("t", "12")).toThrow(ParseError);
    expect(() => countValue("t", "")).toThrow(ParseError);
  });
});

describe("wrk", () => {
  it("builds the issue's command line", () => {
    expect(wrkCommand(opts)).toEqual({ cmd: "wrk", args: ["-t1", "-c64", "-d10s", "--latency", opts.url] });
  });
  it("parses a run against nginx", () => {
    expect(parseWrk(fixture("wrk.txt"))).toEqual({
      requests: 108654,
      durationSec: 3.07,
      rps: 35445.29,
      p50Ms: 0.86,
      p99Ms: 24.45,
      maxMs: 47.97,
      failures: 0,
    });
  });
  it("parses seconds against the stall target", () => {
    const r = parseWrk(fixture("wrk-stall.txt"));
    expect(r.p99Ms).toBeCloseTo(934.8);
    expect(r.maxMs).toBe(1010);
    expect(r.p50Ms).toBe(3.91);
  });
  it("counts socket errors and non-2xx responses", () => {
    const text = fixture("wrk.txt").replace(
      "Requests/sec:",
      "  Socket errors: connect 1, read 2, write 3, timeout 4\n  Non-2xx or 3xx responses: 10\nRequests/sec:",
    );
    expect(parseWrk(text).failures).toBe(20);
  });
  it("throws when it could not connect or ran without --latency", () => {
    expect(() => parseWrk(fixture("wrk-refused.txt"))).toThrow(ParseError);
    expect(() => parseWrk(fixture("wrk.txt").replace(/Latency Distribution[\s\S]*?99%.*\n/, ""))).toThrow(/Latency Distribution/);
    expect(() => parseWrk("")).toThrow(ParseError);
  });
});

describe("hey", () => {
  it("builds the issue's command line", () => {
    expect(heyCommand(opts).args).toEqual(["-c", "64", "-z", "10s", opts.url]);
  });
  it("parses a run against nginx", () => {
    const r = parseHey(fixture("hey.txt"));
    expect(r).toMatchObject({ requests: 36229, rps: 12064.1682, failures: 0 });
    expect(r.durationSec).toBeCloseTo(3.003);
    expect(r.p50Ms).toBeCloseTo(4.6);
    expect(r.p99Ms).toBeCloseTo(16.7);
    expect(r.maxMs).toBeCloseTo(57.9);
  });
  it("counts non-2xx responses and errors", () => {
    const text = fixture("hey.txt").replace(
      "[200]\t36229 responses",
      '[200]\t36229 responses\n  [503]\t5 responses\n\nError distribution:\n  [7]\tGet "x": EOF\n',
    );
    const r = parseHey(text);
    expect(r.requests).toBe(36234);
    expect(r.failures).toBe(12);
  });
  it("throws when every request failed", () => {
    expect(() => parseHey(fixture("hey-refused.txt"))).toThrow(ParseError);
    expect(() => parseHey("")).toThrow(ParseError);
  });
});

describe("autocannon", () => {
  it("builds the issue's command line", () => {
    expect(autocannonCommand(opts, "/r")).toEqual({
      cmd: "/r/node_modules/.bin/autocannon",
      args: ["-c", "64", "-d", "10", "-j", opts.url],
    });
  });
  it("parses its JSON result", () => {
    const r = parseAutocannon(fixture("autocannon.json"));
    expect(r).toMatchObject({ requests: 45960, durationSec: 3.08, p50Ms: 3, p99Ms: 16, maxMs: 63, failures: 0 });
    expect(r.rps).toBeCloseTo(45960 / 3.08);
  });
  it("throws when nothing was answered, or on no JSON", () => {
    expect(() => parseAutocannon(fixture("autocannon-refused.json"))).toThrow(/no request completed/);
    expect(() => parseAutocannon("Running 10s test")).toThrow(ParseError);
    expect(() => parseAutocannon('{"latency":{}}')).toThrow(ParseError);
  });
});

describe("locust", () => {
  it("builds a headless FastHttpUser command line", () => {
    const c = locustCommand(opts, "bench/locustfile.py");
    expect(c.args).toEqual(expect.arrayContaining(["--headless", "-u", "64", "-r", "64", "-t", "10s", "--host", "http://127.0.0.1:8080"]));
  });
  it("parses the final summary", () => {
    const r = parseLocust(fixture("locust.txt"));
    expect(r).toMatchObject({ requests: 9710, rps: 3561.38, p50Ms: 6, p99Ms: 14, maxMs: 73, failures: 0 });
    expect(r.durationSec).toBeCloseTo(9710 / 3561.38);
  });
  it("reads failures", () => {
    const text = fixture("locust.txt").replace(/(Aggregated\s+9710\s+)0\(0\.00%\)/, "$112(0.12%)");
    expect(parseLocust(text).failures).toBe(12);
  });
  it("throws without a summary or with N/A percentiles", () => {
    expect(() => parseLocust("Traceback (most recent call last):")).toThrow(ParseError);
    const na = fixture("locust.txt").replace(/(Aggregated\s+)6(\s+7\s+7\s+7\s+9\s+9\s+11\s+)14/, "$1N/A$2N/A");
    expect(() => parseLocust(na)).toThrow(/50%/);
  });
});

describe("loadline local-run", () => {
  it("builds the contract's command line", () => {
    const closed = loadlineCommand({ ...opts, threads: 1 }, "/r", {});
    expect(closed.cmd).toBe(process.execPath);
    expect(closed.args).toEqual([
      "--import",
      "tsx",
      "packages/worker/src/local-run.ts",
      "--url",
      opts.url,
      "--connections",
      "64",
      "--duration",
      "10",
      "--threads",
      "1",
      "--json",
    ]);
    const open = loadlineCommand({ ...opts, connections: 100, rate: 2000, maxVus: 400 }, "/r", { LOADLINE_CMD: "npx tsx" });
    expect(open.cmd).toBe("npx");
    expect(open.args.slice(0, 2)).toEqual(["tsx", "packages/worker/src/local-run.ts"]);
    expect(open.args.join(" ")).toContain("--rate 2000 --max-vus 400 --json");
  });
  it("parses the contract's JSON line, after any log lines", () => {
    const r = parseLoadline('{"level":30,"msg":"started"}\n' + fixture("loadline.txt"));
    expect(r).toMatchObject({ requests: 42519, durationSec: 5.042, rps: 8433, p50Ms: 3.321, p99Ms: 66.559, maxMs: 142.975, failures: 0 });
    expect(r.extra).toEqual({ droppedIterations: 0, rssMb: 196, servicep50Ms: 3.321, servicep99Ms: 66.559 });
  });
  it("keeps the generator's own health when the line has it", () => {
    const line = {
      ...JSON.parse(fixture("loadline.txt")),
      generator: {
        seconds: 11,
        saturatedSeconds: 2,
        loopDelayP95Ms: 3.2,
        loopDelayMaxMs: 8,
        timerSlipP95Ms: 4.5,
        timerSlipMaxMs: 9,
        gcPauseMs: 140,
        busy: 1,
      },
    };
    expect(parseLoadline(JSON.stringify(line)).extra).toMatchObject({
      generatorLoopDelayP95Ms: 3.2,
      generatorSlipP95Ms: 4.5,
      generatorSaturatedSeconds: 2,
    });
    expect(() => parseLoadline(JSON.stringify({ ...line, generator: { ...line.generator, timerSlipP95Ms: "late" } }))).toThrow(
      /generator.timerSlipP95Ms/,
    );
  });
  it("keeps the figures from 2 s into the run on when the line has them", () => {
    const line = { ...JSON.parse(fixture("loadline.txt")), steadyP99Ms: 1.09, steadyDropped: 0 };
    expect(parseLoadline(JSON.stringify(line)).extra).toMatchObject({ steadyP99Ms: 1.09, steadyDropped: 0 });
    expect(() => parseLoadline(JSON.stringify({ ...line, steadyP99Ms: "low" }))).toThrow(/steadyP99Ms/);
  });
  it("throws on a missing field, a non-number, or no result", () => {
    const line = JSON.parse(fixture("loadline.txt"));
    delete line.p99Ms;
    expect(() => parseLoadline(JSON.stringify(line))).toThrow(/missing p99Ms/);
    expect(() => parseLoadline(fixture("loadline.txt").replace('"rps":8433', '"rps":"fast"'))).toThrow(/rps/);
    expect(() => parseLoadline(fixture("loadline.txt").replace('"requests":42519', '"requests":0'))).toThrow(/no request/);
    expect(() => parseLoadline("Error: cannot find module")).toThrow(ParseError);
  });
});

describe("floor", () => {
  const line = {
    requests: 199_990,
    durationSec: 10.01,
    rps: 19_979,
    p50Ms: 0.036,
    p99Ms: 2.9,
    maxMs: 15.4,
    failures: 0,
    droppedIterations: 10,
    steadyP99Ms: 1.1,
    steadyDropped: 0,
  };
  it("reads its JSON line, dropped iterations and the steady figures in extra", () => {
    const r = parseFloor(`warming\n${JSON.stringify(line)}\n`);
    expect(r).toMatchObject({
      requests: 199_990,
      rps: 19_979,
      p99Ms: 2.9,
      maxMs: 15.4,
      extra: { droppedIterations: 10, steadyP99Ms: 1.1, steadyDropped: 0 },
    });
  });
  it("throws on a missing field, a non-number, or no result", () => {
    expect(() => parseFloor(JSON.stringify({ ...line, p99Ms: undefined }))).toThrow(/p99Ms/);
    expect(() => parseFloor(JSON.stringify({ ...line, rps: "fast" }))).toThrow(/rps/);
    expect(() => parseFloor("Error: ECONNREFUSED")).toThrow(ParseError);
  });
  it("runs the floor script with the run's rate, pool and client", () => {
    const c = floorCommand({ url: "http://127.0.0.1:1/", rate: 2000, durationSec: 10, max: 400, client: "undici" }, "/r");
    expect(c.args.join(" ")).toBe(
      "--import tsx bench/self-noise/floor.ts --url http://127.0.0.1:1/ --rate 2000 --duration 10 --max 400 --client undici",
    );
    const inC = floorCommand({ url: "http://127.0.0.1:1/", rate: 2000, durationSec: 10, max: 400, client: "c" }, "/r", "/tmp/floor-c");
    expect([inC.cmd, ...inC.args].join(" ")).toBe("/tmp/floor-c --url http://127.0.0.1:1/ --rate 2000 --duration 10 --max 400");
  });
});
