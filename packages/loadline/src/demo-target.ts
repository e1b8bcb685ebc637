import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { sleepAtLeast } from "@loadline/core";
import { type DemoGrpc, type GrpcCounts, startDemoGrpc } from "./demo-grpc.ts";
import { DemoStreams, type StreamCounts } from "./demo-streams.ts";
import { type H2Listener, listenH2, type SelfSigned, selfSignedCertificate } from "./demo-target-h2.ts";

export type DemoTarget = {
  url: string;
  /** The same routes over TLS with HTTP/2 (and HTTP/1.1 by ALPN); null when off or when no certificate could be made (no openssl). */
  h2Url: string | null;
  /** The h2 port's self-signed certificate (PEM): what a test trusts with `http.tls.ca`. */
  h2Certificate: string | null;
  /** HTTP/2 sessions (connections) the h2 port accepted. */
  h2Sessions(): number;
  /** The gRPC service (demo-grpc.ts, examples/demo.proto), `grpc://host:port`; null when off. */
  grpcUrl: string | null;
  /** What the gRPC service received and sent so far. */
  grpc(): GrpcCounts;
  /** What `/ws/echo` and `/sse/ticks` received and sent so far. */
  streams(): StreamCounts;
  /** Requests received so far, per path. */
  received(): Record<string, number>;
  total(): number;
  close(): Promise<void>;
};

const number = (u: URL, name: string, fallback: number) => {
  const v = Number(u.searchParams.get(name));
  return Number.isFinite(v) && u.searchParams.has(name) ? v : fallback;
};

/**
 * A small service to load, with known behaviour: `/fixed?ms=20` answers after a fixed
 * latency, `/random?min=5&max=50` after a uniform one, `/error?rate=0.1&ms=5` fails
 * that share with a 500. `POST /login {"user"}` answers a token and sets a session cookie;
 * `GET /me` needs both (`Authorization: Bearer <token>`, the cookie), else 401. `/ws/echo` is a
 * WebSocket echo and `/sse/ticks?n=5&ms=100` an event stream (demo-streams.ts); a gRPC service
 * listens on a port of its own (demo-grpc.ts). It counts
 * what it receives, so a run's totals can be checked.
 *
 * `POST /__control/slow {"ms": 300, "forSec": 5}` (from loopback only, not counted) adds `ms` to
 * every answer for `forSec` seconds: a fault an agent action can inject, so a
 * run's timeline shows up in its latency. `forSec: 0` ends it.
 */
function parseJson(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === "object" ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/** The slow-down asked, or why not: whole milliseconds up to a minute, for up to an hour. */
function slowDownOf(body: Record<string, unknown>): { ms: number; forSec: number } | { error: string } {
  const { ms, forSec } = body;
  if (typeof ms !== "number" || !Number.isInteger(ms) || ms < 0 || ms > 60_000) return { error: "ms: an integer from 0 to 60000" };
  if (typeof forSec !== "number" || !Number.isFinite(forSec) || forSec < 0 || forSec > 3600) return { error: "forSec: 0 to 3600" };
  return { ms, forSec };
}

/** The h2 port, or null (with why on stderr) when its certificate cannot be made. */
async function startH2(handle: Parameters<typeof listenH2>[0], port: number, host: string): Promise<(H2Listener & SelfSigned) | null> {
  try {
    const tls = await selfSignedCertificate();
    return { ...tls, ...(await listenH2(handle, tls, port, host)) };
  } catch (err) {
    console.error(`demo target: no h2 port (${(err as Error).message})`);
    return null;
  }
}

/** `h2Port`: the port of the TLS HTTP/2 server, `grpcPort` the gRPC service's (0: any free one; null: none). */
export async function startDemoTarget(
  port = 0,
  host = "127.0.0.1",
  h2Port: number | null = 0,
  grpcPort: number | null = 0,
): Promise<DemoTarget> {
  const counts: Record<string, number> = {};
  let total = 0;
  // The slow-down in force: `slowMs` more on every answer until `slowUntil`.
  let slowMs = 0;
  let slowUntil = 0;
  // At least the latency asked: a plain timer may fire up to a millisecond early (sleepAtLeast).
  const reply = (res: ServerResponse, status: number, body: object, afterMs: number) =>
    void sleepAtLeast(afterMs + (Date.now() < slowUntil ? slowMs : 0)).then(() => {
      const text = JSON.stringify(body);
      res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
    });

  /** The control endpoint: loopback callers only, so a target reachable from elsewhere cannot be slowed from there. */
  const control = (req: IncomingMessage, res: ServerResponse, url: URL, body: string) => {
    const answer = (status: number, json: object) => {
      const text = JSON.stringify(json);
      res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
    };
    if (!LOOPBACK.has(req.socket.remoteAddress ?? "")) return answer(403, { error: "the control endpoint answers loopback only" });
    if (url.pathname !== "/__control/slow" || req.method !== "POST") return answer(404, { error: "POST /__control/slow" });
    const asked = slowDownOf(parseJson(body));
    if ("error" in asked) return answer(400, { error: asked.error });
    slowMs = asked.ms;
    slowUntil = Date.now() + asked.forSec * 1000;
    return answer(200, { slowMs, until: new Date(slowUntil).toISOString() });
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://target");
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (url.pathname.startsWith("/__control/")) return control(req, res, url, Buffer.concat(chunks).toString());
      total++;
      counts[url.pathname] = (counts[url.pathname] ?? 0) + 1;
      switch (url.pathname) {
        case "/fixed":
          return reply(res, 200, { ok: true }, number(url, "ms", 20));
        case "/random": {
          const min = number(url, "min", 5);
          const max = number(url, "max", 50);
          return reply(res, 200, { ok: true }, min + Math.random() * Math.max(0, max - min));
        }
        case "/error":
          return Math.random() < number(url, "rate", 0.1)
            ? reply(res, 500, { ok: false }, number(url, "ms", 5))
            : reply(res, 200, { ok: true }, number(url, "ms", 5));
        case "/login": {
          const user = String(parseJson(Buffer.concat(chunks).toString()).user ?? "");
          if (req.method !== "POST" || !user) return reply(res, 400, { error: "POST a user" }, 0);
          res.setHeader("set-cookie", `session=s-${user}; Path=/; HttpOnly`);
          return reply(res, 200, { token: `tok-${user}`, user }, 1);
        }
        case "/me": {
          const token = /^Bearer tok-(.+)$/.exec(req.headers.authorization ?? "")?.[1];
          const session = /(?:^|;\s*)session=s-([^;]+)/.exec(req.headers.cookie ?? "")?.[1];
          return token && token === session ? reply(res, 200, { user: token }, 1) : reply(res, 401, { error: "who are you?" }, 0);
        }
        case "/sse/ticks":
          return streams.ticks(req, res, url);
        case "/healthz":
          return reply(res, 200, { status: "ok" }, 0);
        default:
          return reply(res, 404, { error: "not found" }, 0);
      }
    });
  };
  const server = createServer(handle);
  const streams = new DemoStreams();
  server.on("upgrade", (req: IncomingMessage, socket) => streams.upgrade(req, socket));
  server.keepAliveTimeout = 60_000;
  const h2 = h2Port === null ? null : await startH2(handle, h2Port, host);
  const grpc: DemoGrpc | null = grpcPort === null ? null : await startDemoGrpc(grpcPort, host);
  return new Promise((resolve) => {
    server.listen(port, host, () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${bound}`,
        h2Url: h2?.url ?? null,
        h2Certificate: h2?.cert ?? null,
        h2Sessions: () => h2?.sessions() ?? 0,
        grpcUrl: grpc?.url ?? null,
        grpc: () => grpc?.counts() ?? { sayCalls: 0, tickStreams: 0, ticks: 0 },
        streams: () => ({ ...streams.counts }),
        received: () => ({ ...counts }),
        total: () => total,
        close: () =>
          Promise.all([
            new Promise<void>((done) => {
              server.close(() => done());
              server.closeAllConnections();
              streams.close();
            }),
            h2?.close(),
            grpc?.close(),
          ]).then(() => undefined),
      });
    });
  });
}
