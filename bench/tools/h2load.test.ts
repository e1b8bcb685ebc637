import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agreedProtocol, h2loadCommand, parseH2load } from "./h2load.ts";
import { loadlineCommand } from "./loadline.ts";
import { ParseError } from "./types.ts";

const fixture = readFileSync(join(import.meta.dirname, "fixtures/h2load.txt"), "utf8");
/** 100 requests of 1..100 ms, as its --log-file writes them (start µs, status, elapsed µs). */
const log = Array.from({ length: 100 }, (_, i) => `1796504826286012\t200\t${(i + 1) * 1000}`).join("\n") + "\n";

describe("h2load", () => {
  it("runs one thread, N clients of M streams for D seconds, with its per-request log", () => {
    expect(h2loadCommand({ url: "https://127.0.0.1:8443/", connections: 1, streams: 64, durationSec: 10, logFile: "/tmp/l" })).toEqual({
      cmd: "h2load",
      args: ["-t1", "-c1", "-m64", "-D", "10", "--log-file=/tmp/l", "https://127.0.0.1:8443/"],
    });
  });

  it("reads the rate and counts from its summary, the percentiles from its log", () => {
    expect(parseH2load(fixture, log)).toEqual({
      requests: 221554,
      durationSec: 2,
      rps: 110777,
      p50Ms: 50,
      p99Ms: 99,
      maxMs: 6.09,
      failures: 0,
    });
    expect(agreedProtocol(fixture)).toBe("h2");
    expect(agreedProtocol('{"rps":1,"protocol":"h2"}')).toBe("h2");
  });

  it("has Loadline offer h2 and accept the self-signed certificate with --http2 --insecure", () => {
    const { args } = loadlineCommand(
      { url: "https://127.0.0.1:1/", connections: 64, durationSec: 5, http2: true, insecure: true },
      "/r",
      {},
    );
    expect(args.slice(-3)).toEqual(["--http2", "--insecure", "--json"]);
  });

  it("refuses an output without a summary or a log without requests", () => {
    expect(() => parseH2load("connect failed", log)).toThrow(ParseError);
    expect(() => parseH2load(fixture, "")).toThrow(/no request in its log/);
  });
});
