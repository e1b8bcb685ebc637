import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Executor, type MetricWindow, runPlan, sleep, type TargetPolicy } from "@loadline/core";
import { afterEach, describe, expect, it } from "vitest";
import { ThreadLoad } from "../engine/thread-load.ts";
import { dealLanes, workloadsOf } from "../engine/workloads.ts";
import { type OutgoingRequest, TransportFailure } from "../scenario/index.ts";
import { HttpTransport } from "./http-transport.ts";
import { guardedLookup, type Resolver } from "./target-guard.ts";

/*
 * Only 127.0.0.1 is ever connected to: the server listens there, names resolve there (the
 * system's `localhost`, or a resolver of the test's own), and every other address appears only
 * in answers the guard must refuse before any socket is opened.
 */

let server: Server | undefined;
let transport: HttpTransport | undefined;
/** What the server received: path and Host header of each request. */
let received: { path: string; host: string | undefined }[] = [];
/** Connections the server accepted. */
let accepted = 0;
let port = 0;

afterEach(async () => {
  await transport?.close();
  transport = undefined;
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
  received = [];
  accepted = 0;
});

async function serve(
  answer?: (path: string, headers: IncomingHttpHeaders) => { status: number; headers?: Record<string, string> },
): Promise<void> {
  server = createServer((req, res) => {
    received.push({ path: req.url ?? "", host: req.headers.host });
    const a = answer?.(req.url ?? "", req.headers) ?? { status: 200 };
    res.writeHead(a.status, a.headers);
    res.end("ok");
  });
  server.on("connection", () => accepted++);
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
}

const request = (origin: string, path = "/"): OutgoingRequest => ({ origin, path, method: "GET", headers: {}, timeoutMs: 5000 });
const never = new AbortController().signal;
const policy = (allow: string[], over: Partial<TargetPolicy> = {}): TargetPolicy => ({
  allow,
  loopback: false,
  privateNetworks: false,
  ...over,
});

/** A resolver answering `addresses` for every name, counting its calls. */
function fixedResolver(addresses: string[]): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = ((hostname, _options, callback) => {
    calls.push(hostname);
    setImmediate(() =>
      callback(
        null,
        addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })),
      ),
    );
  }) as Resolver & { calls: string[] };
  resolve.calls = calls;
  return resolve;
}

/** The kind and message a send fails with; throws when it does not fail. */
async function failureOf(p: Promise<unknown>): Promise<TransportFailure> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(TransportFailure);
    return err as TransportFailure;
  }
  throw new Error("no failure");
}

describe("HttpTransport under a target policy", () => {
  it("blocks localhost when loopback is off, even though it is listed: nothing reaches the server", async () => {
    await serve();
    transport = new HttpTransport({ connections: 2, targetPolicy: policy(["localhost"]) });
    const failure = await failureOf(transport.send(request(`http://localhost:${port}`), never));
    expect(failure.kind).toBe("blocked");
    expect(failure.message).toBe("localhost is a loopback address, which this tenant's load may not reach");
    expect((await failureOf(transport.send(request(`http://localhost:${port}`, "/again"), never))).kind).toBe("blocked");
    expect(received).toEqual([]);
  });

  it("lets localhost through when loopback is on, resolving it with the system's resolver", async () => {
    await serve();
    transport = new HttpTransport({ connections: 2, targetPolicy: policy(["localhost"], { loopback: true }) });
    const res = await transport.send(request(`http://localhost:${port}`, "/hello"), never);
    expect(res.status).toBe(200);
    expect(received).toEqual([{ path: "/hello", host: `localhost:${port}` }]);
  });

  it("blocks 127.0.0.1 when loopback is off even when the allow-list names it", async () => {
    await serve();
    transport = new HttpTransport({ connections: 1, targetPolicy: policy(["127.0.0.1"]) });
    const failure = await failureOf(transport.send(request(`http://127.0.0.1:${port}`), never));
    expect(failure.kind).toBe("blocked");
    expect(failure.message).toMatch(/127\.0\.0\.1 is a loopback address/);
    expect((await failureOf(transport.send(request(`http://[::1]:${port}`), never))).kind).toBe("blocked");
    expect(received).toEqual([]);
  });

  it("checks nothing without a policy", async () => {
    await serve();
    transport = new HttpTransport({ connections: 1 });
    expect((await transport.send(request(`http://127.0.0.1:${port}`), never)).status).toBe(200);
    expect((await transport.send(request(`http://localhost:${port}`), never)).status).toBe(200);
    expect(received).toHaveLength(2);
  });

  it("blocks an allowed name that resolves to a forbidden address at connect time (DNS rebinding)", async () => {
    await serve();
    const resolve = fixedResolver(["127.0.0.1"]);
    transport = new HttpTransport({ connections: 2, targetPolicy: policy(["app.example.com"]), resolve });
    const failure = await failureOf(transport.send(request(`http://app.example.com:${port}`), never));
    expect(failure.kind).toBe("blocked");
    expect(failure.message).toBe(
      "app.example.com resolved to 127.0.0.1: 127.0.0.1 is a loopback address, which this tenant's load may not reach",
    );
    // Each new connection resolves and checks again.
    expect((await failureOf(transport.send(request(`http://app.example.com:${port}`), never))).kind).toBe("blocked");
    expect(resolve.calls).toEqual(["app.example.com", "app.example.com"]);
    expect(received).toEqual([]);
  });

  it("connects to the checked address and keeps the name as the Host header", async () => {
    await serve();
    const resolve = fixedResolver(["127.0.0.1"]);
    transport = new HttpTransport({ connections: 2, targetPolicy: policy(["*.example.com"], { loopback: true }), resolve });
    const res = await transport.send(request(`http://app.example.com:${port}`, "/x"), never);
    expect(res.status).toBe(200);
    expect(received).toEqual([{ path: "/x", host: `app.example.com:${port}` }]);
    expect(resolve.calls).toEqual(["app.example.com"]);
  });

  it("applies to HTTP/2 and TLS connections as to the others, certificates unverified or not", async () => {
    await serve();
    const resolve = fixedResolver(["127.0.0.1"]);
    transport = new HttpTransport({ connections: 4, targetPolicy: policy(["127.0.0.1", "app.example.com"]), resolve });
    const connection = { key: "h2-insecure", h2: true, insecureSkipVerify: true };
    const literal = await failureOf(transport.send({ ...request(`https://127.0.0.1:${port}`), connection }, never));
    expect(literal.kind).toBe("blocked");
    const named = await failureOf(transport.send({ ...request(`https://app.example.com:${port}`), connection }, never));
    expect(named).toMatchObject({ kind: "blocked", message: expect.stringMatching(/^app\.example\.com resolved to 127\.0\.0\.1/) });
    expect(received).toEqual([]);
  });

  it("blocks a host the allow-list does not name before resolving it (a {{variable}} host is checked here)", async () => {
    await serve();
    const resolve = fixedResolver(["127.0.0.1"]);
    transport = new HttpTransport({ connections: 1, targetPolicy: policy(["app.example.com"], { loopback: true }), resolve });
    const failure = await failureOf(transport.send(request(`http://other.example.com:${port}`), never));
    expect(failure).toMatchObject({ kind: "blocked", message: "other.example.com is not in the tenant's target allow-list" });
    expect(resolve.calls).toEqual([]);
    expect(received).toEqual([]);
  });

  it("does not follow redirects: a 3xx comes back as the response, its Location never requested", async () => {
    await serve((path) => (path === "/go" ? { status: 302, headers: { location: `http://localhost:${port}/secret` } } : { status: 200 }));
    transport = new HttpTransport({ connections: 1, targetPolicy: policy(["127.0.0.1"], { loopback: true }) });
    const res = await transport.send(request(`http://127.0.0.1:${port}`, "/go"), never);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`http://localhost:${port}/secret`);
    await sleep(50);
    expect(received.map((r) => r.path)).toEqual(["/go"]);
  });
});

describe("guardedLookup", () => {
  const lookup = (p: TargetPolicy, addresses: string[], all: boolean) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }>((resolve) =>
      guardedLookup(p, fixedResolver(addresses))("h.example.com", { all }, (err, address, family) => resolve({ err, address, family })),
    );

  it("hands the socket only the allowed addresses, in the resolver's order", async () => {
    const p = policy(["*"], { loopback: true });
    const answer = ["169.254.169.254", "10.0.0.1", "::ffff:169.254.169.254", "127.0.0.1", "::1"];
    expect(await lookup(p, answer, true)).toEqual({
      err: null,
      address: [
        { address: "127.0.0.1", family: 4 },
        { address: "::1", family: 6 },
      ],
      family: undefined,
    });
    expect(await lookup(p, answer, false)).toEqual({ err: null, address: "127.0.0.1", family: 4 });
  });

  it("fails blocked when no address is allowed, naming what the name resolved to", async () => {
    const { err } = await lookup(policy(["*"]), ["169.254.169.254", "10.0.0.1"], true);
    expect(err).toBeInstanceOf(TransportFailure);
    expect(err).toMatchObject({
      kind: "blocked",
      message:
        "h.example.com resolved to 169.254.169.254, 10.0.0.1: 169.254.169.254 is a link-local or cloud metadata address, which load may never reach",
    });
  });

  it("applies an IP-only allow-list to the resolved addresses", async () => {
    const p = policy(["203.0.114.0/24"]);
    expect((await lookup(p, ["93.184.216.34", "203.0.114.5"], false)).address).toBe("203.0.114.5");
    expect((await lookup(p, ["93.184.216.34"], false)).err).toMatchObject({ kind: "blocked" });
  });

  it("passes resolver errors through, and treats an empty answer as not found", async () => {
    const failing: Resolver = (_h, _o, cb) => cb(Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" }), []);
    const err = await new Promise<NodeJS.ErrnoException | null>((r) =>
      guardedLookup(policy(["*"]), failing)("x", { all: true }, (e) => r(e)),
    );
    expect(err?.code).toBe("ENOTFOUND");
    expect((await lookup(policy(["*"]), [], true)).err?.code).toBe("ENOTFOUND");
  });
});

describe("a run with a target policy", () => {
  function threadLoad(p: TargetPolicy | undefined, workload?: Executor): ThreadLoad {
    const plan = runPlan(
      { targetUrl: `http://localhost:${port}`, requests: [{ method: "GET", path: "/a" }] },
      { targetUsers: 2, spawnRate: 100, durationSec: 60 },
    );
    if (p) plan.targetPolicy = p;
    if (workload) plan.workload = workload;
    return new ThreadLoad({
      runId: "r1",
      workerId: "w1",
      plan,
      parts: dealLanes(workloadsOf(plan), [0], 1, 1).parts[0]!,
      onError: (err) => {
        throw err;
      },
    });
  }

  async function run(p: TargetPolicy | undefined): Promise<MetricWindow[]> {
    const load = threadLoad(p);
    await load.prepare();
    load.begin(Date.now());
    await sleep(300);
    const { windows } = await load.stop(0);
    await load.closed();
    return windows;
  }
  const failures = (windows: MetricWindow[]) => {
    const byKind: Record<string, number> = {};
    let count = 0;
    let interrupted = 0;
    for (const r of windows.flatMap((w) => w.requests)) {
      count += r.count;
      interrupted += r.interrupted ?? 0;
      for (const [k, n] of Object.entries(r.failuresByKind ?? {})) byKind[k] = (byKind[k] ?? 0) + n;
    }
    return { count, interrupted, byKind };
  };

  it("counts refused requests as failures of kind blocked, and the target receives nothing", async () => {
    await serve();
    const { count, byKind } = failures(await run(policy(["localhost"])));
    expect(count).toBeGreaterThan(0);
    expect(byKind).toEqual({ blocked: count });
    expect(received).toEqual([]);
  });

  it("runs as before when the policy allows the target, or there is none", async () => {
    await serve();
    const allowed = failures(await run(policy(["localhost"], { loopback: true })));
    expect(allowed.count).toBeGreaterThan(0);
    expect(allowed.byKind).toEqual({});
    const unchecked = failures(await run(undefined));
    expect(unchecked.count).toBeGreaterThan(0);
    expect(unchecked.byKind).toEqual({});
    // Every request counted reached the server; those the stop interrupted in flight may have too.
    const counted = allowed.count + unchecked.count;
    expect(received.length).toBeGreaterThanOrEqual(counted);
    expect(received.length).toBeLessThanOrEqual(counted + allowed.interrupted + unchecked.interrupted);
  });

  it("opens its VUs' connections while it prepares, under the policy: none to a refused target", async () => {
    await serve();
    const refused = threadLoad(policy(["localhost"]));
    await refused.prepare();
    await sleep(50);
    expect(accepted).toBe(0);
    await refused.stop(0);
    await refused.closed();

    const allowed = threadLoad(policy(["localhost"], { loopback: true }));
    await allowed.prepare();
    // The server accepts them on a later turn of this process's loop.
    await sleep(50);
    // A connection for each of its 2 VUs, before any request: the first ones do not pay for connecting.
    expect([accepted, received.length]).toEqual([2, 0]);
    allowed.begin(Date.now());
    await sleep(300);
    await allowed.stop(0);
    await allowed.closed();
    expect(received.length).toBeGreaterThan(0);
    // The run's requests went over them: 2 VUs never need a third.
    expect(accepted).toBe(2);
  });

  it("opens a connection for every VU an open workload may hold, not only its pre-allocated ones", async () => {
    await serve();
    const open = threadLoad(policy(["localhost"], { loopback: true }), {
      type: "constant-arrival-rate",
      rate: 10,
      timeUnitSec: 1,
      durationSec: 60,
      preAllocatedVUs: 2,
      maxVUs: 5,
    });
    await open.prepare();
    await sleep(50);
    // A burst of late arrivals then takes connections already open, not ones it must open mid-stall.
    expect([accepted, received.length]).toEqual([5, 0]);
    await open.stop(0);
    await open.closed();
  });
});
