// Shared plumbing for the benchmark targets: a keep-alive HTTP server on 127.0.0.1 that
// announces its port as one JSON line on stdout and stops on SIGTERM/SIGINT or after --max-seconds.
import http from "node:http";

export function parseArgs(argv = process.argv.slice(2)) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) continue;
    const next = argv[i + 1];
    if (next === undefined || next.startsWith("--")) out[a.slice(2)] = true;
    else {
      out[a.slice(2)] = next;
      i++;
    }
  }
  return out;
}

/**
 * Starts `handler` on 127.0.0.1 (port 0 = any free port). Requests to /__stats answer
 * `stats()` as JSON, /__reset calls `reset()`; every other path goes to the handler.
 */
export function serve({ name, handler, stats = () => ({}), reset = () => {}, args = parseArgs() }) {
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    if (req.url === "/__stats") return json(res, stats());
    if (req.url === "/__reset") {
      reset();
      return json(res, { ok: true });
    }
    handler(req, res);
  });
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 130_000;
  server.requestTimeout = 0;
  server.maxHeadersCount = 0;
  server.listen({ host: "127.0.0.1", port: Number(args.port ?? 0), backlog: 65535 }, () => {
    const { port } = server.address();
    process.stdout.write(JSON.stringify({ target: name, port, pid: process.pid }) + "\n");
  });
  const maxSeconds = Number(args["max-seconds"] ?? 600);
  const stop = () => {
    server.close();
    server.closeAllConnections?.();
    setTimeout(() => process.exit(0), 200).unref();
  };
  setTimeout(stop, maxSeconds * 1000).unref();
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  return server;
}

export function ok(res, body = "ok") {
  res.writeHead(200, { "content-type": "text/plain", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function json(res, value) {
  const body = JSON.stringify(value);
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}
