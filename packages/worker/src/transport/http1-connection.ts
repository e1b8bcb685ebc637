import type { Socket } from "node:net";
import type { buildConnector, Client } from "undici";
import { type RequestOptions, requestHead } from "./http1-request.ts";
import { ResponseParser } from "./http1-response-parser.ts";
import { readingResponses, writeRequest } from "./read-phase-writes.ts";

/** A response's header names and values in turn, as undici hands them (Buffers), or as Http1Connection does (strings). */
export type RawHeaders = (Buffer | string)[];

/** What a request on a connection is told, in the calls undici makes of its handlers (see ResponseCollector). */
export interface ConnectionHandler {
  /** On its socket: `abort` fails it and closes the socket. */
  onConnect(abort: (err?: Error) => void): void;
  /** A response head: an interim one (1xx) first, maybe. */
  onHeaders(status: number, rawHeaders: RawHeaders, resume: () => void): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(): void;
  onError(err: Error): void;
}

/** A keep-alive connection of OriginConnections: one of ours, or undici's where HTTP/2 is offered. */
export type Connection = Http1Connection | Client;

/** Where a connection's socket comes from: the origin's host (the `host` header) and its connector, with what to ask it. */
export type Http1Target = { host: string; connect: buildConnector.connector; options: buildConnector.Options };

/** What a plain socket's connection does with the bytes read (see PLAIN_READS). */
const READER = Symbol("reader");
type PlainSocket = Socket & { [READER]?: (chunk: Buffer) => void };

/**
 * How plain (not TLS) sockets are read: into one buffer shared by the thread's connections (net's
 * `onread`), each read parsed at once (ResponseParser copies out what it keeps). By default Node
 * allocates 64 KiB for each read and pushes what came through a Readable stream to a data event.
 * net calls the callback as the socket's method (every version since onread came, in 12.2), so
 * `this` is whose bytes they are; the transport's tests fail if that ever changes. A socket no
 * connection has taken yet (one takes it as it connects) was asked nothing: bytes on it close it.
 */
export const PLAIN_READS = { buffer: Buffer.allocUnsafe(64 * 1024), callback: readPlain };

function readPlain(this: PlainSocket, length: number, buffer: Buffer): boolean {
  const reader = this[READER];
  if (!reader) {
    this.destroy();
    return false;
  }
  reader(buffer.subarray(0, length));
  return true;
}

/** The peer closed or reset the connection before the response was over. */
export class ConnectionClosed extends Error {
  readonly code = "UND_ERR_SOCKET";
}

/**
 * One plain HTTP/1.1 keep-alive connection: a socket from the origin's connector (so under the
 * run's target policy, TLS options and connect timeout as any other), the request head written
 * in one go, the response parsed by ResponseParser. Why not undici's Client: in the same minimal
 * open-loop harness against nginx at 20,000 requests/s on one core, undici's Client gave a p99
 * of 44-62 ms with 5-6k iterations dropped where raw sockets gave 3-5 ms and none
 * (bench/results/self-noise.md): its per-request work made the generator the bottleneck.
 *
 * A connection is opened at its first request (or handed one opened ahead), reopened after the
 * peer closes it, and never reused after a response that says `connection: close`, a body
 * delimited by the close, bytes the server sent unasked, or any error.
 */
export class Http1Connection {
  private socket: Socket | null;
  private handler: ConnectionHandler | null = null;
  private readonly parser = new ResponseParser();
  private destroyed = false;

  constructor(
    private readonly target: Http1Target,
    socket?: Socket,
  ) {
    this.socket = socket ? this.attach(socket) : null;
  }

  dispatch(options: RequestOptions, handler: ConnectionHandler): void {
    if (this.destroyed) {
      handler.onError(new ConnectionClosed("connection destroyed"));
      return;
    }
    let head: string;
    try {
      // The origin's host is the same for every connection to it: a request sent again keeps its head.
      head = options.head ??= requestHead(options, this.target.host);
    } catch (err) {
      handler.onError(err as Error);
      return;
    }
    this.handler = handler;
    const body = typeof options.body === "string" ? options.body : null;
    if (this.socket) {
      this.write(this.socket, head, body, options.method);
      return;
    }
    this.target.connect(this.target.options, (err, socket) => {
      if (this.handler !== handler) {
        // Given up on while connecting: the connection was destroyed.
        socket?.destroy();
        return;
      }
      if (err || !socket) return this.fail(err ?? new ConnectionClosed("connect failed"));
      this.write((this.socket = this.attach(socket as Socket)), head, body, options.method);
    });
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    this.close();
    if (this.handler) this.fail(new ConnectionClosed("connection destroyed"));
  }

  private write(socket: Socket, head: string, body: string | null, method: string): void {
    const handler = this.handler!;
    handler.onConnect(this.abort);
    // Aborted on connect (it was cancelled while waiting for a connection).
    if (this.handler !== handler) return;
    this.parser.expect(method === "HEAD");
    socket.ref();
    writeRequest(socket, head, body);
  }

  /** Handed to the request as undici's abort: the request fails with `err`, and the socket is closed. */
  private readonly abort = (err?: Error): void => {
    if (!this.handler) return;
    this.close();
    this.fail(err ?? new ConnectionClosed("aborted"));
  };

  private attach(socket: Socket): Socket {
    (socket as PlainSocket)[READER] = (chunk: Buffer) => this.received(socket, chunk);
    // A TLS socket's bytes come as data events.
    socket.on("data", (chunk: Buffer) => this.received(socket, chunk));
    socket.on("error", (err: Error) => this.lost(socket, err));
    socket.on("close", () => this.lost(socket, new ConnectionClosed("other side closed")));
    // Idle, it keeps no process alive; write() refs it while a request is on it.
    socket.unref();
    return socket;
  }

  private received(socket: Socket, chunk: Buffer): void {
    readingResponses();
    if (socket !== this.socket) return;
    const handler = this.handler;
    // Bytes nobody asked for: what they belong to is unknown, so the connection is not used again.
    if (!handler) {
      this.close();
      return;
    }
    let result: ReturnType<ResponseParser["feed"]>;
    try {
      result = this.parser.feed(chunk, handler);
    } catch (err) {
      this.close();
      this.fail(err as Error);
      return;
    }
    if (result === "more") return;
    this.handler = null;
    if (result !== "reuse") this.close();
    else socket.unref();
    // Last: the handler may send the next request on this connection at once.
    handler.onComplete();
  }

  private lost(socket: Socket, err: Error): void {
    if (socket !== this.socket) return;
    this.socket = null;
    socket.destroy();
    if (!this.handler) return;
    const handler = this.handler;
    if (this.parser.endsAtClose()) {
      this.handler = null;
      handler.onComplete();
    } else this.fail(err);
  }

  private close(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
  }

  private fail(err: Error): void {
    const handler = this.handler;
    this.handler = null;
    handler?.onError(err);
  }
}
