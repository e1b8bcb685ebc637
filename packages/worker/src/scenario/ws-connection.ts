import { type Dispatcher, ping, WebSocket } from "undici";
import { TransportFailure } from "./transport.ts";

export const CLOSED: unique symbol = Symbol("closed");
export const TIMED_OUT: unique symbol = Symbol("timed out");
export const ABORTED: unique symbol = Symbol("aborted");
/** A message's text, or why none came. */
export type Received = string | typeof CLOSED | typeof TIMED_OUT | typeof ABORTED;

/** Messages kept for later expects; beyond it the oldest go (a chatty server must not grow a VU without bound). */
const MAX_QUEUED = 10_000;

export type WsOpenOptions = {
  protocols: string[] | undefined;
  headers: Record<string, string>;
  dispatcher: Dispatcher;
  timeoutMs: number;
};

/**
 * One WebSocket connection of a ws step over undici's client: the messages it received and not
 * yet read, a wait for the next within a deadline, and counts of messages and bytes each way.
 */
export class WsConnection {
  messagesIn = 0;
  messagesOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  private readonly queue: string[] = [];
  private wake: (() => void) | null = null;
  private closed = false;

  private constructor(private readonly socket: WebSocket) {
    socket.binaryType = "arraybuffer";
    socket.addEventListener("message", (e) => {
      const text = typeof e.data === "string" ? e.data : Buffer.from(e.data as ArrayBuffer).toString();
      this.messagesIn++;
      this.bytesIn += Buffer.byteLength(text);
      if (this.queue.push(text) > MAX_QUEUED) this.queue.shift();
      this.wake?.();
    });
    socket.addEventListener("close", () => {
      this.closed = true;
      this.wake?.();
    });
  }

  /** Opens a connection; rejects with a TransportFailure (`connect`, `timeout`), or an AbortError when `signal` aborts. */
  static open(url: string, opts: WsOpenOptions, signal: AbortSignal): Promise<WsConnection> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { protocols: opts.protocols ?? [], headers: opts.headers, dispatcher: opts.dispatcher });
      const connection = new WsConnection(socket);
      const settle = (error: Error | null) => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        socket.removeEventListener("open", onOpen);
        socket.removeEventListener("close", onClose);
        if (error === null) return resolve(connection);
        connection.close();
        reject(error);
      };
      const onOpen = () => settle(null);
      // undici reports a refused connection, a blocked address and a refused handshake alike: an error, then a close.
      const onClose = () => settle(new TransportFailure("connect", "the WebSocket connection failed"));
      const onAbort = () => settle(Object.assign(new Error("aborted"), { name: "AbortError" }));
      const timer = setTimeout(() => settle(new TransportFailure("timeout", "the WebSocket connection timed out")), opts.timeoutMs);
      socket.addEventListener("open", onOpen);
      socket.addEventListener("close", onClose);
      signal.addEventListener("abort", onAbort, { once: true });
      socket.addEventListener("error", () => undefined);
    });
  }

  /** The next message not yet read, else the first to come before `deadline` (performance.now() ms). */
  async next(deadline: number, signal: AbortSignal): Promise<Received> {
    // Each turn waits for a message, the close, the deadline or the stop: bounded by the deadline.
    for (;;) {
      if (signal.aborted) return ABORTED;
      const message = this.queue.shift();
      if (message !== undefined) return message;
      if (this.closed) return CLOSED;
      const left = deadline - performance.now();
      if (left <= 0) return TIMED_OUT;
      await this.waitForEvent(left, signal);
    }
  }

  /** Sends a text message; false when the connection is closed (nothing sent). */
  send(text: string): boolean {
    if (this.closed || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(text);
    this.messagesOut++;
    this.bytesOut += Buffer.byteLength(text);
    return true;
  }

  ping(): void {
    if (!this.closed && this.socket.readyState === WebSocket.OPEN) ping(this.socket);
  }

  /** Starts the closing handshake (1000), or abandons a connection still opening; does not wait. */
  close(): void {
    const state = this.socket.readyState;
    if (state === WebSocket.OPEN || state === WebSocket.CONNECTING) this.socket.close(1000);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private waitForEvent(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
      this.wake = done;
    });
  }
}
