import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { getRequestListener, RequestError } from "@hono/node-server";
import { allowedHostsFor, hostAllowed } from "./allowed-hosts.ts";
import { type ErrorBody, errorBody } from "./http.ts";

export type HttpServer = { port: number; close(): Promise<void> };

export type ListenOptions = {
  /** Host names the server answers to (LL_ALLOWED_HOSTS); see allowedHostsFor for the default. */
  allowedHosts?: readonly string[] | undefined;
};

const json = (body: ErrorBody) => JSON.stringify(body);

/**
 * How long an idle keep-alive connection stays open. Node's default (5 s) is shorter than what the
 * clients and proxies in front of a service keep theirs (60 s at nginx and cloud load balancers): the
 * service would close first, and a request sent as it closed would be reset (ECONNRESET, a 502 at a
 * proxy). Longer than theirs, the client closes first; it reads the hint in the Keep-Alive header.
 */
export const KEEP_ALIVE_MS = 65_000;

function answer(res: ServerResponse, status: number, body: ErrorBody): void {
  const text = json(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Why a request's Host is refused, or null: HTTP/1.1 must send one, and it must be allowed. */
function hostRefusal(req: IncomingMessage, allowed: readonly string[] | null): [number, ErrorBody] | null {
  const host = req.headers.host;
  if (host === undefined) {
    if (req.httpVersion === "1.0") return null; // HTTP/1.0 need not send one: the server's own name is used
    return [400, errorBody("bad_request", "an HTTP/1.1 request must carry a Host header", "Host")];
  }
  if (allowed === null || hostAllowed(host, allowed)) return null;
  return [421, errorBody("host_not_allowed", `Host ${JSON.stringify(host)} is not served here (allowed: ${allowed.join(", ")})`, "Host")];
}

const CLIENT_ERRORS: Record<string, [number, string, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, "headers_too_large", "the request's headers are too large", "headers"],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, "payload_too_large", "the request's chunk extensions are too large", "body"],
  ERR_HTTP_REQUEST_TIMEOUT: [408, "request_timeout", "the request did not arrive in time", "request"],
  ERR_HTTP_HEADERS_TIMEOUT: [408, "request_timeout", "the request's headers did not arrive in time", "headers"],
};

/** Parser errors that are about one header: the answer names it. */
const HEADER_ERRORS: Record<string, string | null> = {
  HPE_INVALID_HEADER_TOKEN: null, // the header the bad byte is in
  HPE_INVALID_CONTENT_LENGTH: "Content-Length",
  HPE_UNEXPECTED_CONTENT_LENGTH: "Content-Length",
  HPE_INVALID_TRANSFER_ENCODING: "Transfer-Encoding",
};

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The name of the header whose value holds the byte the parser stopped at (a NUL, a control
 * character), or null when that cannot be told for sure: the byte is in a name, in the request
 * line, or its line began in an earlier packet (whose bytes the error does not carry).
 */
function headerAt(raw: Buffer | undefined, offset: number | undefined): string | null {
  if (!raw || offset === undefined || offset <= 0 || offset > raw.length) return null;
  const lineStart = raw.lastIndexOf(0x0a, offset - 1) + 1;
  if (lineStart === 0) return null;
  const line = raw.subarray(lineStart, offset).toString("latin1");
  const colon = line.indexOf(":");
  const name = colon > 0 ? line.slice(0, colon) : "";
  return TOKEN.test(name) ? name : null;
}

/** What a request Node could not parse is answered: status, code, message and the field at fault. */
function clientErrorAnswer(err: Error & { code?: string; rawPacket?: Buffer; bytesParsed?: number }): [number, string, string, string] {
  const known = CLIENT_ERRORS[err.code ?? ""];
  if (known) return known;
  const message = `malformed HTTP request (${err.code ?? err.message})`;
  const header =
    err.code !== undefined && err.code in HEADER_ERRORS ? (HEADER_ERRORS[err.code] ?? headerAt(err.rawPacket, err.bytesParsed)) : null;
  return header ? [400, "bad_request", `${message} in header ${header}`, header] : [400, "bad_request", message, "request"];
}

/**
 * An answer written on a bare socket (no response object is made for it), after which the
 * connection closes whole once the answer is out: the socket is read no more (a CONNECT's is
 * not read at all), so it would never see the client leave and would stay half-open for ever.
 */
function endWith(socket: Duplex, status: number, body: ErrorBody): void {
  const text = json(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\n` +
      `connection: close\r\n\r\n${text}`,
    () => socket.destroy(),
  );
}

/**
 * Node answers a request it cannot parse (a bad request line, headers too large) itself, with
 * an empty body; this answers it in the JSON shape instead, and closes the connection as Node does.
 */
function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  // A response already under way on this socket cannot be followed by another.
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
  if (err.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, message, field] = clientErrorAnswer(err);
  if (inFlight?.req.complete) {
    // The bytes at fault follow a whole request (sent after its Connection: close, or pipelined): that
    // request is answered first, as the client waits for it; this answer follows unless the first closed.
    if (deferred.has(socket)) return;
    deferred.add(socket);
    inFlight.once("finish", () => {
      if (socket.writable) endWith(socket, status, errorBody(code, message, field));
    });
    return;
  }
  // The request at fault is being answered already: no other answer can follow on this connection.
  if (inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  endWith(socket, status, errorBody(code, message, field));
}

/** Sockets whose refusal waits for the answer in flight (the parser reports the same bytes again if more come). */
const deferred = new WeakSet<Duplex>();

/** What the adapter answers when it cannot make a Request of what Node parsed (a bad Host, a backslash in the path). */
const requestErrorAnswer = (err: unknown): Response => {
  const bad = err instanceof RequestError;
  const body = bad ? errorBody("bad_request", err.message, "request") : errorBody("internal", "internal error");
  return new Response(json(body), { status: bad ? 400 : 500, headers: { "content-type": "application/json" } });
};

/**
 * Serves `app` on hostname:port. Before the app sees a request the Host header is checked
 * (421 for a name not served here); requests Node or the adapter cannot parse are answered in
 * the JSON shape too (400, 431), so every answer of a service is JSON, not only the app's.
 */
export function listen(
  app: { fetch: (req: Request) => Response | Promise<Response> },
  port: number,
  hostname = "127.0.0.1",
  opts: ListenOptions = {},
): Promise<HttpServer> {
  const allowed = allowedHostsFor(hostname, opts.allowedHosts);
  const handle = getRequestListener(app.fetch, { hostname, errorHandler: requestErrorAnswer });
  // Node's own check of Host answers with an empty body: ours answers in the shape.
  const server = createServer({ requireHostHeader: false }, (req, res) => {
    const refusal = hostRefusal(req, allowed);
    if (refusal) answer(res, ...refusal);
    else void handle(req, res);
  });
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.on("clientError", answerClientError);
  // Without these Node answers an Expect other than 100-continue with an empty 417, and closes a CONNECT without a word.
  server.on("checkExpectation", (req: IncomingMessage, res: ServerResponse) =>
    answer(res, 417, errorBody("expectation_failed", `Expect ${JSON.stringify(req.headers.expect)} is not supported`, "Expect")),
  );
  server.on("connect", (_req: IncomingMessage, socket: Duplex) =>
    endWith(socket, 400, errorBody("bad_request", "CONNECT is not served here: this is not a proxy", "method")),
  );
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      server.off("error", reject);
      const address = server.address();
      resolve({
        port: typeof address === "object" && address ? address.port : port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
