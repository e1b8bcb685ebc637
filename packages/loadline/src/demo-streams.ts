import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { acceptKey, encodeFrame, type Frame, FrameError, FrameReader, OPCODE } from "./ws-frames.ts";

/** What the demo target's streaming endpoints received and sent, so a run's counts can be checked. */
export type StreamCounts = {
  wsConnections: number;
  /** WebSocket connections ended (closed by either side). */
  wsClosed: number;
  /** Text messages received and echoed. */
  wsMessagesIn: number;
  wsMessagesOut: number;
  wsPings: number;
  sseStreams: number;
  sseEvents: number;
};

const MAX_SSE_EVENTS = 100_000;
const MAX_SSE_INTERVAL_MS = 60_000;

/**
 * The demo target's streams: `/ws/echo` (a WebSocket that echoes each text message, answers
 * pings, and closes when asked) and `/sse/ticks?n=5&ms=100` (n events `{"n":i}`, one every ms,
 * then the end of the stream). Open sockets are tracked so that `close` ends them.
 */
export class DemoStreams {
  readonly counts: StreamCounts = {
    wsConnections: 0,
    wsClosed: 0,
    wsMessagesIn: 0,
    wsMessagesOut: 0,
    wsPings: 0,
    sseStreams: 0,
    sseEvents: 0,
  };
  private readonly sockets = new Set<Duplex>();

  /** The http server's `upgrade` listener. */
  upgrade(req: IncomingMessage, socket: Duplex): void {
    const key = req.headers["sec-websocket-key"];
    const path = new URL(req.url ?? "/", "http://target").pathname;
    if (path !== "/ws/echo" || req.headers.upgrade?.toLowerCase() !== "websocket" || typeof key !== "string") {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    // Any subprotocol offered will do: the first.
    const protocol = req.headers["sec-websocket-protocol"]?.split(",")[0]?.trim();
    socket.write(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Accept: ${acceptKey(key)}\r\n${protocol ? `Sec-WebSocket-Protocol: ${protocol}\r\n` : ""}\r\n`,
    );
    this.counts.wsConnections++;
    this.echo(socket);
  }

  /** `GET /sse/ticks?n=&ms=`: the events, then the end of the stream; stops early when the client goes. */
  ticks(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const n = Math.min(MAX_SSE_EVENTS, Math.max(0, Math.floor(Number(url.searchParams.get("n") ?? 5)) || 0));
    const ms = Math.min(MAX_SSE_INTERVAL_MS, Math.max(0, Number(url.searchParams.get("ms") ?? 100) || 0));
    this.counts.sseStreams++;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.write(": ticks\n\n");
    let sent = 0;
    const tick = () => {
      if (sent >= n) return void res.end();
      sent++;
      this.counts.sseEvents++;
      res.write(`event: tick\nid: ${sent}\ndata: {"n":${sent}}\n\n`);
      timer = setTimeout(tick, ms);
    };
    let timer = setTimeout(tick, ms);
    req.socket.once("close", () => clearTimeout(timer));
  }

  /** Ends every WebSocket still open. */
  close(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  private echo(socket: Duplex): void {
    this.sockets.add(socket);
    const reader = new FrameReader();
    let fragments: Buffer[] = [];
    const closeWith = (code: number) => {
      const payload = Buffer.alloc(2);
      payload.writeUInt16BE(code);
      socket.end(encodeFrame(OPCODE.close, payload));
    };
    socket.on("data", (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = reader.feed(chunk);
      } catch (e) {
        return closeWith(e instanceof FrameError ? e.code : 1002);
      }
      for (const frame of frames) {
        switch (frame.opcode) {
          case OPCODE.ping:
            this.counts.wsPings++;
            socket.write(encodeFrame(OPCODE.pong, frame.payload));
            break;
          case OPCODE.close:
            // Echo the close code, then end: the closing handshake.
            socket.end(encodeFrame(OPCODE.close, frame.payload.subarray(0, 2)));
            return;
          case OPCODE.text:
          case OPCODE.binary:
          case OPCODE.continuation: {
            fragments.push(frame.payload);
            if (!frame.fin) break;
            const message = Buffer.concat(fragments);
            fragments = [];
            this.counts.wsMessagesIn++;
            this.counts.wsMessagesOut++;
            socket.write(encodeFrame(OPCODE.text, message));
            break;
          }
        }
      }
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      this.counts.wsClosed++;
      this.sockets.delete(socket);
    });
  }
}
