import { describe, expect, it } from "vitest";
import { parseLocustLine } from "./locust-messages.ts";

describe("parseLocustLine", () => {
  it("reads a request with its exact time in µs, status, bytes and failure kind", () => {
    const m = parseLocustLine('["r",1700000000123.5,"/home","GET",12.3456,512,0,200,null]');
    expect(m?.type === "request" && m.latencyUs).toBeCloseTo(12_345.6, 6);
    expect(m).toEqual({
      type: "request",
      endedAtMs: 1700000000123.5,
      latencyUs: expect.any(Number),
      sample: expect.objectContaining({ name: "/home", method: "GET", status: 200, failure: null, bytesIn: 512, protocol: "http/1.1" }),
    });
    const failed = parseLocustLine('["r",1,"x","grpc",3,0,0,null,"connect"]');
    expect(failed).toMatchObject({ sample: { status: null, failure: "connect" } });
    expect(failed?.type === "request" ? failed.sample.protocol : "none").toBeUndefined();
  });

  it("reads interrupted requests, user counts, ready and stopped", () => {
    expect(parseLocustLine('["i",5,"/slow","POST"]')).toMatchObject({ type: "interrupted", sample: { name: "/slow", interrupted: true } });
    expect(parseLocustLine('["u",7]')).toEqual({ type: "users", users: 7 });
    expect(parseLocustLine('["ready"]')).toEqual({ type: "ready" });
    expect(parseLocustLine('["stopped"]')).toEqual({ type: "stopped" });
  });

  it("never trusts a line: unknown kinds become check, garbage is dropped, names are bounded", () => {
    expect(parseLocustLine('["r",1,"x","GET",-5,"big",null,99999,"exploded"]')).toMatchObject({
      latencyUs: 0,
      sample: { failure: "check", status: null, bytesIn: 0 },
    });
    expect(parseLocustLine("not json")).toBeUndefined();
    expect(parseLocustLine('{"r":1}')).toBeUndefined();
    const long = parseLocustLine(JSON.stringify(["r", 1, "n".repeat(5000), "GET", 1, 0, 0, 200, null]));
    expect(long?.type === "request" && long.sample.name.length).toBe(200);
  });
});
