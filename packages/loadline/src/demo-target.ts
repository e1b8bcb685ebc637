import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type DemoTarget = {
  url: string;
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
 * `GET /me` needs both (`Authorization: Bearer <token>`, the cookie), else 401. It counts
 * what it receives, so a run's totals can be checked.
 */
function parseJson(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === "object" ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function startDemoTarget(port = 0, host = "127.0.0.1"): Promise<DemoTarget> {
  const counts: Record<string, number> = {};
  let total = 0;
  const reply = (res: ServerResponse, status: number, body: object, afterMs: number) =>
    setTimeout(() => {
      const text = JSON.stringify(body);
      res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
    }, afterMs);

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://target");
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
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
        case "/healthz":
          return reply(res, 200, { status: "ok" }, 0);
        default:
          return reply(res, 404, { error: "not found" }, 0);
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => {
    server.listen(port, host, () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${bound}`,
        received: () => ({ ...counts }),
        total: () => total,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
