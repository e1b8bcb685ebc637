import { describe, expect, it } from "vitest";
import { compile, runIteration, runIterationOutcome } from "./test-scenario.ts";
import { closedPort, useTestServer } from "./test-server.ts";

const { server, transport } = useTestServer();

const checks = [{ type: "status", in: [200] }];

describe("VuSession: failure classification", () => {
  it("4xx and 5xx responses", async () => {
    const session = compile(
      {
        steps: [
          { type: "request", url: "/status/404" },
          { type: "request", url: "/status/503" },
          { type: "request", url: "/status/399" },
        ],
      },
      server.url,
    ).createSession(0);
    expect((await runIteration(session, transport)).map((r) => [r.status, r.failure])).toEqual([
      [404, "4xx"],
      [503, "5xx"],
      [399, null],
    ]);
  });

  it("connect: a refused connection on a closed port fails every check, and the VU goes on", async () => {
    const port = await closedPort();
    const session = compile(
      {
        steps: [
          { type: "request", url: "/x", checks, extract: [{ type: "header", var: "h", name: "x" }] },
          { type: "request", url: `${server.url}/echo` },
        ],
      },
      `http://127.0.0.1:${port}`,
    ).createSession(0);
    expect(await runIteration(session, transport)).toMatchObject([
      { status: null, failure: "connect", bytesIn: 0, checksPassed: 0, checksFailed: 2, firstOfIteration: true },
      { status: 200, failure: null },
    ]);
  });

  it("timeout: a server that never answers within timeoutMs", async () => {
    const session = compile({ steps: [{ type: "request", url: "/hang", timeoutMs: 150, checks }] }, server.url).createSession(0);
    const [r] = await runIteration(session, transport);
    expect(r).toMatchObject({ status: null, failure: "timeout", checksFailed: 1 });
    expect(r!.endedAt - r!.sentAt).toBeGreaterThanOrEqual(140);
    expect(r!.endedAt - r!.sentAt).toBeLessThan(2_000);
  });

  it("a url that renders to no http(s) URL fails as connect, without sending", async () => {
    const before = server.seen.length;
    const session = compile({ variables: { base: "ftp://x" }, steps: [{ type: "request", url: "{{base}}/y" }] }, server.url).createSession(
      0,
    );
    expect(await runIteration(session, transport)).toMatchObject([{ name: "{{base}}/y", status: null, failure: "connect" }]);
    expect(server.seen.length).toBe(before);
  });
});

describe("VuSession: think time and abort", () => {
  it("waits a constant think time between requests", async () => {
    const session = compile(
      {
        steps: [
          { type: "request", url: "/echo" },
          { type: "think", distribution: "constant", ms: 120 },
          { type: "request", url: "/echo" },
        ],
      },
      server.url,
    ).createSession(0);
    const [a, b] = await runIteration(session, transport);
    const gap = b!.sentAt - a!.endedAt;
    expect(gap).toBeGreaterThanOrEqual(115);
    expect(gap).toBeLessThan(400);
    expect(b!.firstOfIteration).toBe(false);
  });

  it("stops during a think time when aborted, sending nothing more", async () => {
    const ac = new AbortController();
    const session = compile(
      {
        steps: [
          { type: "request", url: "/echo" },
          { type: "think", distribution: "constant", ms: 30_000 },
          { type: "request", url: "/echo" },
        ],
      },
      server.url,
    ).createSession(0);
    const start = performance.now();
    setTimeout(() => ac.abort(), 80);
    const { records, interrupted } = await runIterationOutcome(session, transport, ac.signal);
    expect(performance.now() - start).toBeLessThan(2_000);
    expect(records).toHaveLength(1);
    expect(records[0]!.failure).toBeNull();
    expect(records[0]!.interrupted).toBeUndefined();
    expect(interrupted).toBe(true);
  });

  it("tells an iteration that ran to its end from one cut short in its last think time", async () => {
    const steps = [
      { type: "request", url: "/echo" },
      { type: "think", distribution: "constant", ms: 30 },
    ];
    const done = await runIterationOutcome(compile({ steps }, server.url).createSession(0), transport);
    expect(done.interrupted).toBe(false);
    const ac = new AbortController();
    const long = compile({ steps: [steps[0], { ...steps[1], ms: 30_000 }] }, server.url).createSession(0);
    setTimeout(() => ac.abort(), 80);
    const cut = await runIterationOutcome(long, transport, ac.signal);
    expect(cut.interrupted).toBe(true);
    expect(cut.records.map((r) => [r.failure, r.interrupted])).toEqual([[null, undefined]]);
  });

  it("aborts an in-flight request, reporting it as interrupted: no failure, no bytes, no checks run", async () => {
    const ac = new AbortController();
    const session = compile(
      {
        steps: [
          { type: "request", url: "/hang", checks },
          { type: "request", url: "/echo" },
        ],
      },
      server.url,
    ).createSession(0);
    const start = performance.now();
    setTimeout(() => ac.abort(), 80);
    const { records, interrupted } = await runIterationOutcome(session, transport, ac.signal);
    expect(performance.now() - start).toBeLessThan(2_000);
    // The step after it is never sent.
    expect(records).toEqual([
      expect.objectContaining({
        name: "/hang",
        status: null,
        failure: null,
        interrupted: true,
        bytesIn: 0,
        bytesOut: 0,
        checksPassed: 0,
        checksFailed: 0,
        firstOfIteration: true,
      }),
    ]);
    expect(interrupted).toBe(true);
  });

  it("does nothing when already aborted", async () => {
    const ac = new AbortController();
    ac.abort();
    const session = compile({ steps: [{ type: "request", url: "/echo" }] }, server.url).createSession(0);
    expect(await runIterationOutcome(session, transport, ac.signal)).toEqual({ records: [], interrupted: true });
    expect(session.iterations).toBe(0);
  });
});
