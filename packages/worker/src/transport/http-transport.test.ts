import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sleep } from "@loadline/core";
import { afterEach, describe, expect, it } from "vitest";
import { TransportFailure } from "../scenario/index.ts";
import { failureKindOf, HttpTransport } from "./http-transport.ts";
import { failureOf, never, request } from "./test-requests.ts";

let server: Server | undefined;
let transport: HttpTransport | undefined;

afterEach(async () => {
  await transport?.close();
  transport = undefined;
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** A server on 127.0.0.1 whose routes the tests pick. */
async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("HttpTransport", () => {
  it("sends method, path, headers and body, and gives status, headers, body and size back", async () => {
    const origin = await serve((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => (body += c));
      req.on("end", () => {
        res.setHeader("set-cookie", ["a=1", "b=2"]);
        res.setHeader("x-echo", req.headers["x-test"] ?? "");
        res.statusCode = 201;
        res.end(`${req.method} ${req.url} ${body} é`);
      });
    });
    transport = new HttpTransport({ connections: 2 });
    const res = await transport.send(
      request(origin, { method: "POST", path: "/p?q=1", headers: { "x-test": "yes" }, body: "hello" }),
      never,
    );
    expect(res.status).toBe(201);
    expect(res.body).toBe("POST /p?q=1 hello é");
    expect(res.bytes).toBe(Buffer.byteLength(res.body));
    expect(res.headers["x-echo"]).toBe("yes");
    expect(res.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
  });

  it("reads large bodies arriving in many chunks, two at once, each whole and its own", async () => {
    // Plain sockets read into one shared buffer: a chunk not copied out would be overwritten by the next read, of either.
    const bodyOf = (path: string) => Array.from({ length: 150_000 }, (_, i) => `${path}${i.toString(36)}`).join(",");
    const origin = await serve((req, res) => res.end(bodyOf(req.url!)));
    transport = new HttpTransport({ connections: 2 });
    const [a, b] = await Promise.all(["/a", "/b"].map((path) => transport!.send(request(origin, { path }), never)));
    expect(a!.body.length).toBeGreaterThan(1_000_000);
    expect(a!.body === bodyOf("/a")).toBe(true);
    expect(b!.body === bodyOf("/b")).toBe(true);
  });

  it("keeps connections alive and queues beyond the pool's size", async () => {
    const ports = new Set<number>();
    const origin = await serve((req, res) => {
      ports.add(req.socket.remotePort!);
      setTimeout(() => res.end("ok"), 5);
    });
    transport = new HttpTransport({ connections: 3 });
    for (let round = 0; round < 3; round++) {
      const all = await Promise.all(Array.from({ length: 9 }, () => transport!.send(request(origin), never)));
      expect(all.every((r) => r.status === 200)).toBe(true);
    }
    expect(ports.size).toBe(3);
  });

  it("fails a refused connection as connect", async () => {
    const origin = await serve(() => undefined);
    server!.close();
    await sleep(10);
    server = undefined;
    transport = new HttpTransport({ connections: 1 });
    expect(await failureOf(transport.send(request(origin), never))).toBe("connect");
  });

  it("fails a request with no answer in its time as timeout", async () => {
    const origin = await serve(() => undefined); // never answers
    transport = new HttpTransport({ connections: 1 });
    const t0 = performance.now();
    expect(await failureOf(transport.send(request(origin, { timeoutMs: 150 }), never))).toBe("timeout");
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it("fails a request of a second or more as timeout by its deadline: no answer, or a body that stalls", async () => {
    const origin = await serve((req, res) => {
      if (req.url === "/stall") {
        res.writeHead(200, { "content-length": "100" });
        res.write("partial"); // and never the rest
      }
    });
    transport = new HttpTransport({ connections: 2 });
    const t0 = performance.now();
    const [silent, stalled] = await Promise.all([
      failureOf(transport.send(request(origin, { timeoutMs: 1000 }), never)).then((kind) => ({ kind, ms: performance.now() - t0 })),
      failureOf(transport.send(request(origin, { path: "/stall", timeoutMs: 1200 }), never)).then((kind) => ({
        kind,
        ms: performance.now() - t0,
      })),
    ]);
    expect(silent.kind).toBe("timeout");
    expect(stalled.kind).toBe("timeout");
    // Not before its deadline; after it, within a sweep (250 ms) and some slack for a loaded host.
    expect(silent.ms).toBeGreaterThanOrEqual(1000);
    expect(stalled.ms).toBeGreaterThanOrEqual(1200);
    expect(Math.max(silent.ms, stalled.ms)).toBeLessThan(3000);
    expect(transport.pending).toBe(0);
  });

  it("fails a connection the server drops mid-answer as reset", async () => {
    const origin = await serve((_req, res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write("partial");
      setTimeout(() => res.socket?.destroy(), 10);
    });
    transport = new HttpTransport({ connections: 1 });
    expect(await failureOf(transport.send(request(origin), never))).toBe("reset");
  });

  it("fails a request in flight as reset when its signal aborts, and only those of that signal", async () => {
    const origin = await serve((req, res) => {
      if (req.url === "/slow") return; // answers never
      res.end("ok");
    });
    transport = new HttpTransport({ connections: 4 });
    const stop = new AbortController();
    const slow = transport.send(request(origin, { path: "/slow" }), stop.signal);
    const other = transport.send(request(origin, { path: "/slow", timeoutMs: 300 }), never);
    await sleep(50);
    stop.abort();
    expect(await failureOf(slow)).toBe("reset");
    expect(await failureOf(other)).toBe("timeout");
    expect(await failureOf(transport.send(request(origin), stop.signal))).toBe("reset");
    expect((await transport.send(request(origin), never)).status).toBe(200);
  });
});

describe("failureKindOf", () => {
  it("classifies undici's and the system's errors", () => {
    expect(failureKindOf({ code: "ECONNREFUSED" }, false)).toBe("connect");
    expect(failureKindOf({ code: "UND_ERR_CONNECT_TIMEOUT" }, false)).toBe("connect");
    expect(failureKindOf({ code: "UND_ERR_HEADERS_TIMEOUT" }, true)).toBe("timeout");
    expect(failureKindOf({ code: "UND_ERR_BODY_TIMEOUT" }, true)).toBe("timeout");
    expect(failureKindOf({ code: "ECONNRESET" }, true)).toBe("reset");
    expect(failureKindOf({ code: "UND_ERR_SOCKET" }, true)).toBe("reset");
    expect(failureKindOf(new Error("certificate has expired"), false)).toBe("connect");
    expect(failureKindOf({ code: "DEPTH_ZERO_SELF_SIGNED_CERT" }, false)).toBe("tls");
    expect(failureKindOf({ code: "SELF_SIGNED_CERT_IN_CHAIN" }, false)).toBe("tls");
    expect(failureKindOf({ code: "CERT_HAS_EXPIRED" }, false)).toBe("tls");
    expect(failureKindOf({ code: "ERR_TLS_CERT_ALTNAME_INVALID" }, false)).toBe("tls");
    expect(failureKindOf({ code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" }, false)).toBe("tls");
  });
});

describe("HttpTransport's headers", () => {
  it("reads like a plain object whether or not anything parsed them yet, and says without parsing whether they set cookies", async () => {
    const origin = await serve((req, res) => {
      if (req.url === "/cookie") res.setHeader("Set-Cookie", "a=1");
      res.setHeader("X-One", "1");
      res.setHeader("x-many", ["a", "b"]);
      res.end("ok");
    });
    transport = new HttpTransport({ connections: 1 });
    const plain = await transport.send(request(origin), never);
    // Known without parsing them: the session then reads no header for cookies.
    expect(plain.setsCookies).toBe(false);
    expect(plain.headers["set-cookie"]).toBeUndefined();
    expect(plain.headers["x-one"]).toBe("1");
    expect(plain.headers["x-many"]).toEqual(["a", "b"]);
    expect("x-one" in plain.headers).toBe(true);
    expect(Object.keys(plain.headers)).toEqual(expect.arrayContaining(["x-one", "x-many", "content-length"]));
    const names: string[] = [];
    for (const name in (await transport.send(request(origin), never)).headers) names.push(name);
    expect(names).toContain("x-one");
    expect({ ...(await transport.send(request(origin), never)).headers }).toMatchObject({ "x-one": "1" });
    const cookie = await transport.send(request(origin, { path: "/cookie" }), never);
    expect(cookie.setsCookies).toBe(true);
    expect(cookie.headers["set-cookie"]).toBe("a=1");
  });
});
