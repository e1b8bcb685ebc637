import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";
import { NodeHttpTransport } from "./test-transport.ts";

/** What the test server saw of one request. */
export type SeenRequest = { method: string; url: string; headers: http.IncomingHttpHeaders; body: string };

/**
 * Test-only: a local server on 127.0.0.1 with the endpoints the scenario tests need. A leading
 * "/api" is ignored, so a targetUrl with a path prefix reaches the same routes.
 */
export async function startTestServer(): Promise<{ url: string; seen: SeenRequest[]; close: () => Promise<void> }> {
  const seen: SeenRequest[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      const entry: SeenRequest = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      seen.push(entry);
      const url = new URL(req.url ?? "/", "http://x");
      const route = url.pathname.replace(/^\/api(?=\/)/, "");
      const json = (status: number, value: unknown, headers: http.OutgoingHttpHeaders = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(value));
      };
      if (route === "/login") {
        const { user, pass } = JSON.parse(body || "{}") as { user?: string; pass?: string };
        return pass === "secret" ? json(200, { token: `tok-${user}`, expires: 3600 }) : json(401, { error: "bad password" });
      }
      if (route === "/me") {
        const auth = req.headers.authorization ?? "";
        return auth.startsWith("Bearer tok-") ? json(200, { user: auth.slice("Bearer tok-".length) }) : json(401, { error: "no token" });
      }
      if (route === "/set-cookie") {
        return json(
          200,
          {},
          { "set-cookie": ["sid=abc123; Path=/; HttpOnly", "theme=dark; Path=/", "other=1; Domain=other.example; Path=/"] },
        );
      }
      if (route === "/needs-cookie") {
        return /(^|; )sid=abc123(;|$)/.test(req.headers.cookie ?? "")
          ? json(200, { cookie: req.headers.cookie })
          : json(403, { cookie: req.headers.cookie ?? null });
      }
      if (route === "/echo") {
        return json(200, entry, { "x-trace": "trace-42", location: `/orders/${url.searchParams.get("id") ?? "0"}` });
      }
      if (route.startsWith("/status/")) return json(Number(route.slice("/status/".length)), { ok: false });
      if (route === "/hang") return void hanging.add(res);
      json(404, { error: "not found" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * One test server and one transport for a test file: started before its tests, closed after.
 * `server.url` and `server.seen` read the live server.
 */
export function useTestServer(): { server: { readonly url: string; readonly seen: SeenRequest[] }; transport: NodeHttpTransport } {
  let live: Awaited<ReturnType<typeof startTestServer>> | undefined;
  const transport = new NodeHttpTransport();
  beforeAll(async () => {
    live = await startTestServer();
  });
  afterAll(async () => {
    transport.close();
    await live?.close();
  });
  const server = {
    get url() {
      return live!.url;
    },
    get seen() {
      return live!.seen;
    },
  };
  return { server, transport };
}
