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
 * that share with a 500. It counts what it receives, so a run's totals can be checked.
 */
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
    req.resume();
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
