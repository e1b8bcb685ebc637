import { describe, expect, it } from "vitest";
import type { ConnectionHandler, RawHeaders } from "./http1-connection.ts";
import { type FeedResult, MAX_HEAD_BYTES, ResponseParseError, ResponseParser } from "./http1-response-parser.ts";

/** What a parser handed over for one response. */
class Heard implements ConnectionHandler {
  heads: { status: number; raw: RawHeaders }[] = [];
  /** Kept as handed over, read at the end: the parser's input is reused after each feed. */
  private chunks: Buffer[] = [];
  get body(): string {
    return Buffer.concat(this.chunks).toString("latin1");
  }
  onConnect(): void {}
  onHeaders(status: number, raw: RawHeaders): boolean {
    this.heads.push({ status, raw });
    return true;
  }
  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    return true;
  }
  onComplete(): void {}
  onError(): void {}
}

/**
 * Feeds `wire` in pieces of `step` bytes, each from one buffer overwritten after every feed, as a
 * socket's read buffer is; the last result, and what was heard.
 */
function parse(wire: string, { step = wire.length, head = false } = {}): { result: FeedResult; heard: Heard } {
  const parser = new ResponseParser();
  parser.expect(head);
  const heard = new Heard();
  const bytes = Buffer.from(wire, "latin1");
  const reused = Buffer.alloc(bytes.length);
  let result: FeedResult = "more";
  for (let at = 0; at < bytes.length; at += step) {
    const n = bytes.copy(reused, 0, at, at + step);
    result = parser.feed(reused.subarray(0, n), heard);
    reused.fill("#");
  }
  return { result, heard };
}

const every = (wire: string, check: (r: { result: FeedResult; heard: Heard }) => void): void => {
  // Whole, and a byte at a time: a response may arrive cut anywhere.
  for (const step of [wire.length, 1, 7]) check(parse(wire, { step }));
};

describe("ResponseParser", () => {
  it("reads a content-length body, the headers raw with their values trimmed, and keeps the connection", () => {
    every("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Pad:   a b  \r\nContent-Length: 5\r\n\r\nhello", ({ result, heard }) => {
      expect(result).toBe("reuse");
      expect(heard.heads).toEqual([{ status: 200, raw: ["Content-Type", "text/plain", "X-Pad", "a b", "Content-Length", "5"] }]);
      expect(heard.body).toBe("hello");
    });
  });

  it("reads a chunked body, with extensions and trailers", () => {
    every(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n",
      ({ result, heard }) => {
        expect(result).toBe("reuse");
        expect(heard.body).toBe("hello world");
      },
    );
  });

  it("reads no body after a HEAD, a 204 or a 304, whatever content-length says", () => {
    expect(parse("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", { head: true }).result).toBe("reuse");
    expect(parse("HTTP/1.1 204 No Content\r\n\r\n").result).toBe("reuse");
    // A status line without a reason phrase is one too.
    expect(parse("HTTP/1.1 204\r\n\r\n").result).toBe("reuse");
    expect(parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 4\r\n\r\n").result).toBe("reuse");
  });

  it("hands interim 1xx responses over and goes on to the real one", () => {
    every("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", ({ result, heard }) => {
      expect(result).toBe("reuse");
      expect(heard.heads.map((h) => h.status)).toEqual([103, 200]);
      expect(heard.body).toBe("ok");
    });
  });

  it("closes the connection when the response says so, or speaks HTTP/1.0 without keep-alive", () => {
    expect(parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").result).toBe("close");
    expect(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").result).toBe("close");
    expect(parse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n").result).toBe("reuse");
  });

  it("reads a body without length up to the close", () => {
    const parser = new ResponseParser();
    parser.expect(false);
    const heard = new Heard();
    expect(parser.feed(Buffer.from("HTTP/1.1 200 OK\r\n\r\nsome"), heard)).toBe("more");
    expect(parser.feed(Buffer.from(" more"), heard)).toBe("more");
    expect(parser.endsAtClose()).toBe(true);
    expect(heard.body).toBe("some more");
  });

  it("refuses what it cannot frame, so the connection is not trusted again", () => {
    const refused = [
      "HTTP/2 200\r\n\r\n",
      "ICY 200 OK\r\n\r\n",
      "HTTP/1.2 200 OK\r\n\r\n",
      "HTTP/1.1 2000 OK\r\n\r\n",
      "HTTP/1.1 20x OK\r\n\r\n",
      "HTTP/1.1 200OK\r\n\r\n",
      "HTTP/1.1 200 O\rK\r\n\r\n",
      "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
      "HTTP/1.1 200 OK\r\nB\u00e4d: x\r\n\r\n",
      "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx",
      "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX",
      "HTTP/1.1 101 Switching Protocols\r\n\r\n",
      // A second response nobody asked for, in the same read.
      "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
    ];
    for (const wire of refused) expect(() => parse(wire), wire).toThrow(ResponseParseError);
  });

  it("refuses a head that never ends, past its limit, rather than keeping it all", () => {
    const parser = new ResponseParser();
    parser.expect(false);
    const heard = new Heard();
    parser.feed(Buffer.from("HTTP/1.1 200 OK\r\n"), heard);
    const filler = Buffer.from(`X-A: ${"a".repeat(1000)}\r\n`);
    expect(() => {
      for (let sent = 0; sent <= MAX_HEAD_BYTES; sent += filler.length) parser.feed(filler, heard);
    }).toThrow(/too long/);
  });
});
