import { createServer as createHttpServer } from "node:http";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { sleep } from "@loadline/core";
import { afterEach, describe, expect, it } from "vitest";
import { HttpTransport } from "./http-transport.ts";
import { failureOf, never, request } from "./test-requests.ts";

let servers: { close(cb: () => void): unknown; closeAllConnections?: () => void }[] = [];
let transport: HttpTransport | undefined;

afterEach(async () => {
  await transport?.close();
  transport = undefined;
  for (const s of servers) s.closeAllConnections?.();
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  servers = [];
});

/**
 * A raw TCP server on 127.0.0.1 that hands each request's head to `answer` and writes what it
 * returns (nothing: it stays silent). `heads` has every request head it read, `sockets` every connection.
 */
async function rawServer(answer: (head: string, socket: Socket) => string | undefined) {
  const heads: string[] = [];
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    let buffered = "";
    socket.on("data", (chunk) => {
      buffered += chunk.toString("latin1");
      for (let end = buffered.indexOf("\r\n\r\n"); end !== -1; end = buffered.indexOf("\r\n\r\n")) {
        const head = buffered.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        heads.push(buffered.slice(0, end + 4 + length));
        buffered = buffered.slice(end + 4 + length);
        const reply = answer(head, socket);
        if (reply !== undefined) socket.write(reply);
      }
    });
    socket.on("error", () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, heads, sockets };
}

const OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

describe("HTTP/1.1 connections (Http1Connection through the transport)", () => {
  it("writes the request line, host, the step's headers and the body's length, and nothing it was not given", async () => {
    const target = await rawServer(() => OK);
    transport = new HttpTransport({ connections: 1 });
    await transport.send(request(target.origin, { method: "POST", path: "/a?b=1", headers: { "x-test": "1" }, body: "héllo" }), never);
    await transport.send(request(target.origin, { method: "PUT", headers: { "content-length": "99", connection: "close" } }), never);
    const host = new URL(target.origin).host;
    expect(target.heads[0]).toBe(
      `POST /a?b=1 HTTP/1.1\r\nx-test: 1\r\nhost: ${host}\r\ncontent-length: 6\r\n\r\n${Buffer.from("héllo").toString("latin1")}`,
    );
    // A body-carrying method without a body says so; the request's own length and connection headers are not trusted.
    expect(target.heads[1]).toBe(`PUT / HTTP/1.1\r\nhost: ${host}\r\ncontent-length: 0\r\n\r\n`);
  });

  it("keeps a name's own host header", async () => {
    const target = await rawServer(() => OK);
    transport = new HttpTransport({ connections: 1 });
    await transport.send(request(target.origin, { headers: { Host: "example.test" } }), never);
    expect(target.heads[0]).toBe("GET / HTTP/1.1\r\nHost: example.test\r\n\r\n");
  });

  it("refuses a header, path or method that would break the request, and sends nothing", async () => {
    const target = await rawServer(() => OK);
    transport = new HttpTransport({ connections: 1 });
    for (const bad of [
      request(target.origin, { headers: { "x-a": "1\r\nx-injected: 1" } }),
      request(target.origin, { headers: { "bad name": "1" } }),
      request(target.origin, { path: "/a b" }),
      request(target.origin, { path: "/a\r\nGET /smuggled" }),
      request(target.origin, { method: "GET /x" }),
      // A token is one character or more.
      request(target.origin, { method: "" }),
      request(target.origin, { headers: { "": "1" } }),
    ]) {
      expect(await failureOf(transport.send(bad, never))).toBe("connect");
    }
    expect(target.heads).toEqual([]);
    // The connection is still there for the next request.
    expect((await transport.send(request(target.origin), never)).status).toBe(200);
  });

  it("keeps one socket for requests one after another, and opens a new one after the server closes it", async () => {
    const target = await rawServer((head, socket) => {
      if (head.startsWith("GET /bye")) {
        socket.end("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
        return undefined;
      }
      return OK;
    });
    transport = new HttpTransport({ connections: 1 });
    for (let i = 0; i < 3; i++) expect((await transport.send(request(target.origin), never)).body).toBe("ok");
    expect(target.sockets).toHaveLength(1);
    await transport.send(request(target.origin, { path: "/bye" }), never);
    expect((await transport.send(request(target.origin), never)).body).toBe("ok");
    expect(target.sockets).toHaveLength(2);
    // An idle socket the server closes on its own (a keep-alive timeout) is not used again either.
    target.sockets[1]!.destroy();
    await sleep(50);
    expect((await transport.send(request(target.origin), never)).body).toBe("ok");
    expect(target.sockets).toHaveLength(3);
  });

  it("does not use a connection again after bytes nobody asked for", async () => {
    const target = await rawServer(() => OK);
    transport = new HttpTransport({ connections: 1 });
    await transport.send(request(target.origin), never);
    target.sockets[0]!.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstale");
    await sleep(50);
    // Had the connection been kept, this request would have been answered "stale".
    expect((await transport.send(request(target.origin), never)).body).toBe("ok");
    expect(target.sockets).toHaveLength(2);
  });

  it("reads a body up to the close, and fails as reset a response cut short", async () => {
    const target = await rawServer((head, socket) => {
      if (head.startsWith("GET /until-close")) socket.end("HTTP/1.1 200 OK\r\n\r\nall of it");
      else socket.end("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart");
      return undefined;
    });
    transport = new HttpTransport({ connections: 1 });
    expect((await transport.send(request(target.origin, { path: "/until-close" }), never)).body).toBe("all of it");
    expect(await failureOf(transport.send(request(target.origin, { path: "/cut" }), never))).toBe("reset");
  });

  it("fails garbage as reset, and a refused connection as connect", async () => {
    const target = await rawServer(() => "SSH-2.0-OpenSSH\r\n\r\n");
    transport = new HttpTransport({ connections: 1 });
    expect(await failureOf(transport.send(request(target.origin), never))).toBe("reset");
    const closed = await rawServer(() => OK);
    const port = new URL(closed.origin).port;
    await new Promise<void>((r) => servers.pop()!.close(() => r()));
    expect(await failureOf(transport.send(request(`http://127.0.0.1:${port}`), never))).toBe("connect");
  });

  it("closes the socket of an aborted request, and the connection serves the next one on a new socket", async () => {
    const target = await rawServer((head) => (head.startsWith("GET /slow") ? undefined : OK));
    transport = new HttpTransport({ connections: 1 });
    const abort = new AbortController();
    const slow = transport.send(request(target.origin, { path: "/slow" }), abort.signal);
    await sleep(50);
    abort.abort();
    expect(await failureOf(slow)).toBe("reset");
    await sleep(20);
    expect(target.sockets[0]!.destroyed || target.sockets[0]!.readableEnded).toBe(true);
    expect((await transport.send(request(target.origin), never)).body).toBe("ok");
  });

  it("reads what a Node server sends: chunked bodies, HEAD, 204, 304 and early hints", async () => {
    const server = createHttpServer((req, res) => {
      if (req.url === "/hints") res.writeEarlyHints({ link: "</style.css>; rel=preload" });
      if (req.url === "/204") return void res.writeHead(204).end();
      if (req.url === "/304") return void res.writeHead(304).end();
      res.write("chunk one, ");
      res.end("chunk two");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    servers.push(server);
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    transport = new HttpTransport({ connections: 1 });
    for (const path of ["/", "/hints"]) {
      const res = await transport.send(request(origin, { path }), never);
      expect([res.status, res.body, res.headers["transfer-encoding"]]).toEqual([200, "chunk one, chunk two", "chunked"]);
    }
    expect((await transport.send(request(origin, { method: "HEAD" }), never)).body).toBe("");
    expect((await transport.send(request(origin, { path: "/204" }), never)).status).toBe(204);
    expect((await transport.send(request(origin, { path: "/304" }), never)).status).toBe(304);
    // All on the one keep-alive connection.
    expect((await transport.send(request(origin), never)).status).toBe(200);
  });

  it("opens connections ahead up to its limit, which the requests then use, and gives up at the first that fails", async () => {
    const target = await rawServer(() => OK);
    transport = new HttpTransport({ connections: 3 });
    await transport.openAhead([{ origin: target.origin }], 10, 2000);
    await sleep(50);
    expect([target.sockets.length, target.heads.length]).toEqual([3, 0]);
    await Promise.all([1, 2, 3].map(() => transport!.send(request(target.origin), never)));
    expect([target.sockets.length, target.heads.length]).toEqual([3, 3]);

    const closed = await rawServer(() => OK);
    const port = new URL(closed.origin).port;
    await new Promise<void>((r) => servers.pop()!.close(() => r()));
    const started = performance.now();
    await transport.openAhead([{ origin: `http://127.0.0.1:${port}` }], 3, 2000);
    // Not waited out: the refused connection ends the opening, and the requests say why.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await failureOf(transport.send(request(`http://127.0.0.1:${port}`), never))).toBe("connect");
  });
});
