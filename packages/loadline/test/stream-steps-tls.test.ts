import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoTarget, startDemoTarget } from "../src/demo-target.ts";
import { runRows } from "./engine-rows.ts";

/**
 * A stream over TLS: the demo target's h2 port (self-signed, HTTP/1.1 allowed) serves
 * `/sse/ticks` too. The step trusts its certificate with `tls` (its own, else the test's
 * `http.tls`), as a request does; without it the handshake fails as `tls`.
 */
let target: DemoTarget;
beforeAll(async () => {
  target = await startDemoTarget(0, "127.0.0.1", 0, null);
});
afterAll(() => target.close());

const once = { type: "per-vu-iterations", vus: 1, iterations: 2, maxDurationSec: 30 } as const;
const sse = (extra: Record<string, unknown> = {}) => ({
  type: "sse",
  name: "ticks",
  url: `${target.h2Url}/sse/ticks?n=2&ms=5`,
  count: 2,
  timeoutMs: 5000,
  ...extra,
});

describe("an sse step over TLS", () => {
  it("reads the stream when the step trusts the certificate, or the test does", async () => {
    const own = await runRows(target.url, [sse({ tls: { ca: target.h2Certificate! } })], once);
    expect(own.get("SSE first ticks")).toMatchObject({ count: 2, failures: 0 });
    expect(own.get("SSE next ticks")).toMatchObject({ count: 2, failures: 0, messagesIn: 2 });
    const testWide = await runRows(target.url, [sse()], once, { http: { tls: { insecureSkipVerify: true } } });
    expect(testWide.get("SSE first ticks")).toMatchObject({ count: 2, failures: 0 });
  });

  it("fails as tls when nothing trusts the self-signed certificate", async () => {
    const rows = await runRows(target.url, [sse()], once);
    expect(rows.get("SSE first ticks")).toMatchObject({ count: 2, failures: 2, failuresByKind: { tls: 2 } });
  });
});
