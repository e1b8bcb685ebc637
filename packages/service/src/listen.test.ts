import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { sleep } from "@loadline/core";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { devAccess } from "./auth/testing-access.ts";
import { installErrorHandler, jsonBody } from "./http.ts";
import { type HttpServer, KEEP_ALIVE_MS, listen } from "./listen.ts";
import { createLogger } from "./log.ts";
import { serviceApp } from "./service-app.ts";

const log = createLogger("test", "silent");
const routes = new Hono().get("/hello", (c) => c.json({ hello: "world" }));
const writes = new Hono();
installErrorHandler(writes, log);
writes.post("/things", async (c) => c.json(await jsonBody(c, z.unknown())));
const app = serviceApp({ log, access: devAccess() }, routes, writes);

/** A status and the parsed body of what the server answered to `raw`, sent as is on a socket of its own. */
function raw(port: number, text: string): Promise<{ status: number; body: unknown; head: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(text));
    let answer = "";
    const done = () => {
      const [head = "", body = ""] = answer.split("\r\n\r\n");
      let parsed: unknown = body;
      try {
        parsed = JSON.parse(body);
      } catch {} // not JSON: the assertion shows what it was
      resolve({ status: Number(head.split(" ")[1]), body: parsed, head });
    };
    socket.setEncoding("utf8");
    socket.on("data", (d) => {
      answer += d;
      // A complete answer: headers and as many bytes as they announce (the connection may stay open).
      const [head = "", body] = answer.split("\r\n\r\n");
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? Number.NaN);
      if (body !== undefined && Buffer.byteLength(body) >= length) {
        socket.destroy();
        done();
      }
    });
    socket.on("end", done);
    socket.on("error", reject);
  });
}

/** A GET with the Host header of our choosing (fetch sets its own). */
function withHost(port: number, host: string | undefined): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, path: "/hello", setHost: false, headers: host === undefined ? {} : { host } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("listen: what reaches the app, and Node's own answers in the JSON shape", () => {
  let loopback: HttpServer;
  let configured: HttpServer;
  beforeAll(async () => {
    loopback = await listen(app, 0, "127.0.0.1");
    configured = await listen(app, 0, "127.0.0.1", { allowedHosts: ["api.example.com"] });
  });
  afterAll(async () => {
    await loopback.close();
    await configured.close();
  });

  it("on loopback answers to loopback names on any port, and refuses others with 421 (DNS rebinding)", async () => {
    for (const host of ["localhost", `127.0.0.1:${loopback.port}`, "[::1]:9", "localhost:1"])
      expect(await withHost(loopback.port, host), host).toEqual({ status: 200, body: { hello: "world" } });
    expect(await withHost(loopback.port, "rebound.evil.example")).toEqual({
      status: 421,
      body: { error: { code: "host_not_allowed", message: expect.stringContaining("rebound.evil.example"), field: "Host" } },
    });
  });

  it("answers only to the configured names when given", async () => {
    expect((await withHost(configured.port, "api.example.com:443")).status).toBe(200);
    expect((await withHost(configured.port, "localhost")).status).toBe(421);
  });

  it("an HTTP/1.1 request without Host is a 400 naming Host, an HTTP/1.0 one is served", async () => {
    expect(await raw(loopback.port, "GET /hello HTTP/1.1\r\n\r\n")).toMatchObject({ status: 400, body: { error: { field: "Host" } } });
    expect(await raw(loopback.port, "GET /hello HTTP/1.0\r\n\r\n")).toMatchObject({ status: 200, body: { hello: "world" } });
  });

  it("a malformed request line is a 400 in the shape, not an empty body", async () => {
    const answer = await raw(loopback.port, "BLAH /hello HTTP/9\r\n\r\n");
    expect(answer).toMatchObject({ status: 400, body: { error: { code: "bad_request", field: "request" } } });
    expect(answer.head).toMatch(/content-type: application\/json/i);
  });

  it("headers too large are a 431 in the shape", async () => {
    const answer = await raw(loopback.port, `GET /hello HTTP/1.1\r\nHost: localhost\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
    expect(answer).toMatchObject({ status: 431, body: { error: { code: "headers_too_large", field: "headers" } } });
  });

  it("a path the adapter refuses (a backslash) is a 400 in the shape", async () => {
    expect(await raw(loopback.port, "GET /hel\\lo HTTP/1.1\r\nHost: localhost\r\n\r\n")).toMatchObject({
      status: 400,
      body: { error: { code: "bad_request" } },
    });
  });

  it("a NUL or control byte in a header value is a 400 naming that header; a bad Content-Length names it", async () => {
    for (const [header, field] of [
      ["X-Tenant-Id: a\u0000b", "X-Tenant-Id"],
      ["X-Actor: a\u0001b", "X-Actor"],
      ['If-Match: "1\u0000"', "If-Match"],
      ["Content-Length: 1e3", "Content-Length"],
      ["Content-Length: 2\r\nContent-Length: 3", "Content-Length"],
    ] as const) {
      expect(await raw(loopback.port, `GET /hello HTTP/1.1\r\nHost: localhost\r\n${header}\r\n\r\n`), header).toMatchObject({
        status: 400,
        body: { error: { code: "bad_request", field } },
      });
    }
    // A bad byte in a header's name: which header cannot be told, the request is named.
    expect(await raw(loopback.port, "GET /hello HTTP/1.1\r\nHost: localhost\r\nX-Bad Name: 1\r\n\r\n")).toMatchObject({
      status: 400,
      body: { error: { field: "request" } },
    });
  });

  it("bytes after a whole request do not take the place of its answer: it is answered first, then they are refused", async () => {
    // After Connection: close nothing may follow; the request before is answered all the same, and the connection closed.
    const afterClose = await raw(
      loopback.port,
      'POST /things HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}junk',
    );
    expect(afterClose).toMatchObject({ status: 200, body: { a: 1 } });
    // Pipelined on a kept-alive connection: the good request's answer, then the bad one's 400, then the end.
    const both = await new Promise<string>((resolve, reject) => {
      const socket = connect(loopback.port, "127.0.0.1", () =>
        socket.write("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\nBLAH / HTTP/9\r\n\r\n"),
      );
      let text = "";
      socket.setEncoding("utf8");
      socket.on("data", (d) => (text += d));
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    expect([...both.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1])).toEqual(["200", "400"]);
    expect(both).toContain('{"hello":"world"}');
  });

  it("a connection refused outside the app is closed whole, a body left unread or not: none lingers half-open", async () => {
    for (const [request, status] of [
      [`CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n${"x".repeat(100_000)}`, 400],
      [`POST /things HTTP/1.1\r\nHost: localhost\r\nX-A: a\u0000\r\nContent-Length: 300000\r\n\r\n${"x".repeat(300_000)}`, 400],
    ] as const) {
      const own = await listen(app, 0, "127.0.0.1");
      expect((await raw(own.port, request)).status).toBe(status);
      // close() waits for every connection: one left half-open (no longer read, so never seeing the client go) holds it for ever.
      const closed = await Promise.race([own.close().then(() => "closed"), new Promise((r) => setTimeout(() => r("still open"), 3_000))]);
      expect(closed, request.slice(0, 40)).toBe("closed");
    }
  });

  it("an Expect other than 100-continue is a 417 in the shape, naming Expect", async () => {
    expect(await raw(loopback.port, "GET /hello HTTP/1.1\r\nHost: localhost\r\nExpect: teapot\r\n\r\n")).toMatchObject({
      status: 417,
      body: { error: { code: "expectation_failed", field: "Expect" } },
    });
  });

  it("CONNECT is a 400 in the shape naming the method, not a connection closed without a word", async () => {
    const answer = await raw(loopback.port, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
    expect(answer).toMatchObject({ status: 400, body: { error: { code: "bad_request", field: "method" } } });
  });

  it("a 20 MB body announced by Content-Length is refused with 413 before it is sent", async () => {
    const started = Date.now();
    const answer = await raw(
      loopback.port,
      `POST /things HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${20 * 1024 * 1024}\r\n\r\n{"a":`,
    );
    expect(answer).toMatchObject({ status: 413, body: { error: { code: "payload_too_large", field: "body" } } });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("keeps an idle connection open past Node's 5 s and says for how long: a request after 6 s idle is answered", async () => {
    const socket = connect(loopback.port, "127.0.0.1");
    socket.setEncoding("utf8");
    let received = "";
    socket.on("data", (d: string) => (received += d));
    const closed = new Promise<string>((resolve) => socket.on("close", () => resolve("closed")));
    /** The next whole answer on the connection (its head), or "closed". */
    const answer = async () => {
      const start = received.length;
      for (;;) {
        const head = received.slice(start).split("\r\n\r\n")[0] ?? "";
        const length = /content-length: (\d+)/i.exec(head)?.[1];
        if (length && received.length - start >= head.length + 4 + Number(length)) return head;
        if (await Promise.race([closed, sleep(20)])) return "closed";
      }
    };
    socket.write("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
    expect(await answer()).toMatch(new RegExp(`^HTTP/1.1 200[^]*keep-alive: timeout=${KEEP_ALIVE_MS / 1000}\r?$`, "im"));
    await sleep(6_000);
    socket.write("POST /things HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
    expect(await answer()).toMatch(/^HTTP\/1.1 200/);
    socket.destroy();
  }, 10_000);
});
