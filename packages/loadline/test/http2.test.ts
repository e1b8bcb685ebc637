import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { localRun } from "@loadline/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoTarget, startDemoTarget } from "../src/demo-target.ts";
import { selfSignedCertificate } from "../src/demo-target-h2.ts";

/**
 * HTTP/2 and TLS through the worker's engine (one thread, no NATS: `localRun`) against the demo
 * target's h2 port, whose certificate is self-signed.
 */
let target: DemoTarget;
beforeAll(async () => {
  target = await startDemoTarget();
});
afterAll(() => target.close());

const VUS = 50;

describe("HTTP/2 against the demo target's h2 port", () => {
  it("agrees on h2, multiplexes the VUs over one connection, and counts what the target received", async () => {
    const sessions = target.h2Sessions();
    const before = target.total();
    const result = await localRun({
      url: `${target.h2Url}/fixed?ms=20`,
      connections: VUS,
      durationSec: 2,
      threads: 1,
      http: { version: "2", tls: { ca: target.h2Certificate! } },
    });
    expect(result.failures).toBe(0);
    expect(result.protocol).toBe("h2");
    // 50 VUs waiting 20 ms each: about 2,500 requests/s if they are all in flight at once, 50/s
    // if the connection carried one stream at a time; > 500 in 2 s is 5 streams in flight at least
    // (a loaded 2-core host measured 983).
    expect(result.requests).toBeGreaterThan(500);
    expect(result.requests).toBe(target.total() - before);
    // A connection per 100 streams: 50 VUs share one (the engine's warm-up is plain HTTP/1.1 elsewhere).
    expect(target.h2Sessions() - sessions).toBe(1);
  });

  it("speaks HTTP/1.1 over TLS when the test does not ask for h2", async () => {
    const result = await localRun({
      url: `${target.h2Url}/fixed?ms=1`,
      connections: 4,
      durationSec: 1,
      threads: 1,
      http: { tls: { ca: target.h2Certificate! } },
    });
    expect(result.failures).toBe(0);
    expect(result.protocol).toBe("http/1.1");
  });

  it("falls back to HTTP/1.1, a connection a VU, when the server does not agree on h2", async () => {
    const tls = await selfSignedCertificate();
    let connections = 0;
    const server = createServer(tls, (_req, res) => setTimeout(() => res.end("ok"), 10));
    server.on("secureConnection", () => connections++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const result = await localRun({ url, connections: 8, durationSec: 1, threads: 1, http: { version: "2", tls: { ca: tls.cert } } });
      expect(result.failures).toBe(0);
      expect(result.protocol).toBe("http/1.1");
      expect(connections).toBe(8);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("a self-signed certificate", () => {
  it("fails every request as tls unless the test trusts it, and is accepted when it says so", async () => {
    const refused = await localRun({
      url: `${target.h2Url}/fixed?ms=1`,
      connections: 2,
      durationSec: 1,
      threads: 1,
      http: { version: "2" },
    });
    expect(refused.requests).toBeGreaterThan(0);
    expect(refused.failures).toBe(refused.requests);
    expect(refused.failuresByKind).toEqual({ tls: refused.requests });
    expect(refused.protocol).toBeUndefined();

    const skipped = await localRun({
      url: `${target.h2Url}/fixed?ms=1`,
      connections: 2,
      durationSec: 1,
      threads: 1,
      http: { version: "2", tls: { insecureSkipVerify: true } },
    });
    expect(skipped.failures).toBe(0);
    expect(skipped.protocol).toBe("h2");
  });
});
