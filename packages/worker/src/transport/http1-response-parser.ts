import { isToken } from "./http-token.ts";
import type { ConnectionHandler } from "./http1-connection.ts";

/** A response that is not HTTP/1.x as RFC 9112 frames it: the connection cannot be trusted after it. */
export class ResponseParseError extends Error {
  readonly code = "HPE_INVALID_RESPONSE";
}

/** The most a response's head (status line and headers) may take: Node's own limit is 16 KiB. */
export const MAX_HEAD_BYTES = 64 * 1024;
const MAX_LINE_BYTES = 1024;
const CRLF = Buffer.from("\r\n");
const HEAD_END = Buffer.from("\r\n\r\n");
const DIGITS = /^\d{1,15}$/;
const HEX = /^[0-9A-Fa-f]{1,12}$/;

enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailers,
  UntilClose,
}

/** What a fed chunk did: the response goes on; it is over and the connection may carry another; it is over and the connection must close. */
export type FeedResult = "more" | "reuse" | "close";

/**
 * The response side of an HTTP/1.1 connection, one response at a time: the status line and
 * headers (handed over raw, as undici hands them, to be parsed only if read), then the body as
 * its framing says: none (HEAD, 1xx, 204, 304), content-length, chunked (trailers read and
 * dropped), or up to the close. Interim 1xx responses are handed over and skipped. What it is fed
 * may be reused once `feed` returns (a socket's read buffer): the head is read into strings, and
 * body bytes, and a head not yet whole, are copied out. Anything else throws
 * ResponseParseError: bytes after a response or a framing it cannot trust end the connection.
 */
export class ResponseParser {
  private state = State.Head;
  private pending: Buffer | null = null;
  private remaining = 0;
  private head = false;
  private keepAlive = true;

  /** Readies it for the next response; `head`: the request was a HEAD, whose response has no body. */
  expect(head: boolean): void {
    this.state = State.Head;
    this.pending = null;
    this.head = head;
    this.keepAlive = true;
  }

  /** The response is delimited by the connection's close, and its head has come: a close ends it. */
  endsAtClose(): boolean {
    return this.state === State.UntilClose;
  }

  feed(chunk: Buffer, handler: ConnectionHandler): FeedResult {
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let at = 0;
    for (;;) {
      switch (this.state) {
        case State.Head: {
          const end = data.indexOf(HEAD_END, at);
          if (end === -1) return this.wait(data, at, MAX_HEAD_BYTES, "response head");
          this.readHead(data, at, end, handler);
          at = end + HEAD_END.length;
          break;
        }
        case State.Length:
          at = this.passBody(data, at, handler);
          return this.remaining > 0 ? "more" : this.done(data, at);
        case State.ChunkSize: {
          const end = data.indexOf(CRLF, at);
          if (end === -1) return this.wait(data, at, MAX_LINE_BYTES, "chunk size");
          const size = data.toString("latin1", at, end).split(";", 1)[0]!.trim();
          if (!HEX.test(size)) throw new ResponseParseError("invalid chunk size");
          this.remaining = Number.parseInt(size, 16);
          this.state = this.remaining === 0 ? State.Trailers : State.ChunkData;
          at = end + CRLF.length;
          break;
        }
        case State.ChunkData:
          at = this.passBody(data, at, handler);
          if (this.remaining > 0) return "more";
          this.state = State.ChunkEnd;
          break;
        case State.ChunkEnd: {
          if (data.length - at < CRLF.length) return this.wait(data, at, CRLF.length, "chunk end");
          if (data[at] !== 0x0d || data[at + 1] !== 0x0a) throw new ResponseParseError("chunk not followed by CRLF");
          at += CRLF.length;
          this.state = State.ChunkSize;
          break;
        }
        case State.Trailers: {
          const end = data.indexOf(CRLF, at);
          if (end === -1) return this.wait(data, at, MAX_HEAD_BYTES, "trailers");
          const blank = end === at;
          at = end + CRLF.length;
          // Trailer fields are read past: nothing reads them.
          if (blank) return this.done(data, at);
          break;
        }
        case State.UntilClose: {
          if (data.length > at) handler.onData(Buffer.from(data.subarray(at)));
          return "more";
        }
      }
    }
  }

  /** Hands over up to `remaining` body bytes from `at`; where the data is then. */
  private passBody(data: Buffer, at: number, handler: ConnectionHandler): number {
    const n = Math.min(this.remaining, data.length - at);
    if (n > 0) handler.onData(Buffer.from(data.subarray(at, at + n)));
    this.remaining -= n;
    return at + n;
  }

  /** Keeps what is left of a line or head not yet whole, up to `max` bytes. */
  private wait(data: Buffer, at: number, max: number, what: string): FeedResult {
    if (data.length - at > max) throw new ResponseParseError(`${what} too long`);
    this.pending = Buffer.from(data.subarray(at));
    return "more";
  }

  /** The response is over at `at`: bytes after it were never asked for. */
  private done(data: Buffer, at: number): FeedResult {
    if (at < data.length) throw new ResponseParseError("bytes after the response");
    return this.keepAlive ? "reuse" : "close";
  }

  private readHead(data: Buffer, from: number, end: number, handler: ConnectionHandler): void {
    const text = data.toString("latin1", from, end);
    let eol = text.indexOf("\r\n");
    if (eol === -1) eol = text.length;
    const code = statusCode(text, eol);
    // Names and values as strings (undici's parseHeaders reads either): slices of one string, no Buffer per header.
    const raw: string[] = [];
    let length: string | undefined;
    let chunked = false;
    let encoded = false;
    let connection = "";
    for (let at = eol + 2; at < text.length; at = eol + 2) {
      eol = text.indexOf("\r\n", at);
      if (eol === -1) eol = text.length;
      const colon = text.indexOf(":", at);
      if (colon <= at || colon > eol) throw new ResponseParseError("invalid header line");
      const name = text.slice(at, colon);
      if (!isToken(text, at, colon)) throw new ResponseParseError("invalid header name");
      let from = colon + 1;
      let to = eol;
      while (from < to && isBlank(text.charCodeAt(from))) from++;
      while (to > from && isBlank(text.charCodeAt(to - 1))) to--;
      const value = text.slice(from, to);
      raw.push(name, value);
      // Only three names decide the framing: others are not even lower-cased.
      if (name.length !== 10 && name.length !== 14 && name.length !== 17) continue;
      switch (name.toLowerCase()) {
        case "content-length":
          if (!DIGITS.test(value) || (length !== undefined && length !== value)) throw new ResponseParseError("invalid content-length");
          length = value;
          break;
        case "transfer-encoding":
          encoded = true;
          chunked = value.toLowerCase().split(",").at(-1)!.trim() === "chunked";
          break;
        case "connection":
          connection += `${value.toLowerCase()},`;
          break;
      }
    }
    if (code === 101) throw new ResponseParseError("protocol upgrade not asked for");
    handler.onHeaders(code, raw, noResume);
    if (code < 200) return; // an interim response: the real one follows
    this.keepAlive = text.charCodeAt(7) === 0x31 ? !/(^|,)\s*close\s*,/.test(connection) : /(^|,)\s*keep-alive\s*,/.test(connection);
    if (this.head || code === 204 || code === 304) {
      this.state = State.Length;
      this.remaining = 0;
    } else if (encoded) this.state = chunked ? State.ChunkSize : State.UntilClose;
    else if (length !== undefined) {
      this.state = State.Length;
      this.remaining = Number(length);
    } else this.state = State.UntilClose;
    if (this.state === State.UntilClose) this.keepAlive = false;
  }
}

/** The code of the status line `HTTP/1.x ddd[ reason]` that ends at `eol`; throws for any other line. */
function statusCode(text: string, eol: number): number {
  const minor = text.charCodeAt(7);
  let valid = eol >= 12 && text.startsWith("HTTP/1.") && (minor === 0x30 || minor === 0x31) && text.charCodeAt(8) === 0x20;
  valid &&= eol === 12 || text.charCodeAt(12) === 0x20;
  let code = 0;
  for (let i = 9; valid && i < 12; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    valid = digit >= 0 && digit <= 9;
    code = code * 10 + digit;
  }
  // The reason phrase is free text, but a CR or LF of its own would end the line.
  for (let i = 13; valid && i < eol; i++) valid = text.charCodeAt(i) !== 0x0d && text.charCodeAt(i) !== 0x0a;
  if (!valid) throw new ResponseParseError("invalid status line");
  return code;
}

/** Optional whitespace around a header value: space or tab. */
const isBlank = (c: number): boolean => c === 0x20 || c === 0x09;

const noResume = (): void => undefined;
