import { describe, expect, it } from "vitest";
import { remoteWriteConfigFromEnv } from "./remote-write-config.ts";

describe("remoteWriteConfigFromEnv", () => {
  it("is off without LL_PROMETHEUS_RW_URL", () => {
    expect(remoteWriteConfigFromEnv({})).toBeNull();
  });

  it("reads the URL, basic auth, headers and intervals", () => {
    const config = remoteWriteConfigFromEnv({
      LL_PROMETHEUS_RW_URL: "https://prom.example/api/v1/write",
      LL_PROMETHEUS_RW_USERNAME: "ll",
      LL_PROMETHEUS_RW_PASSWORD: "pw",
      LL_PROMETHEUS_RW_HEADERS: "X-Scope-OrgID: acme, X-Team: load",
      LL_PROMETHEUS_RW_PUSH_INTERVAL_SEC: "2",
    });
    expect(config).toEqual({
      url: "https://prom.example/api/v1/write",
      headers: { "X-Scope-OrgID": "acme", "X-Team": "load", Authorization: `Basic ${Buffer.from("ll:pw").toString("base64")}` },
      pushIntervalMs: 2000,
      settleSec: 5,
    });
  });

  it("takes a header value with a comma on a line of its own", () => {
    expect(
      remoteWriteConfigFromEnv({ LL_PROMETHEUS_RW_URL: "http://127.0.0.1:9090/api/v1/write", LL_PROMETHEUS_RW_HEADERS: "A: x, y\nB: z" })
        ?.headers,
    ).toEqual({
      A: "x, y",
      B: "z",
    });
  });

  it("refuses what it cannot use, at the start", () => {
    expect(() => remoteWriteConfigFromEnv({ LL_PROMETHEUS_RW_URL: "ftp://x" })).toThrow(/http/);
    expect(() => remoteWriteConfigFromEnv({ LL_PROMETHEUS_RW_URL: "http://x", LL_PROMETHEUS_RW_HEADERS: "nocolon" })).toThrow(
      /Name: value/,
    );
    expect(() => remoteWriteConfigFromEnv({ LL_PROMETHEUS_RW_URL: "http://x", LL_PROMETHEUS_RW_PUSH_INTERVAL_SEC: "soon" })).toThrow(
      /seconds/,
    );
  });
});
