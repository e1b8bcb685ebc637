import { describe, expect, it } from "vitest";
import { MAX_SSE_LINE, SseParser } from "./sse-parser.ts";

const all = (chunks: string[]) => {
  const parser = new SseParser();
  return chunks.flatMap((c) => parser.feed(c));
};

describe("SseParser", () => {
  it("dispatches an event at a blank line, joining data lines", () => {
    expect(all(["data: a\ndata: b\n\n"])).toEqual([{ type: "message", data: "a\nb", id: undefined }]);
  });

  it("reads event types and ids, and keeps the last id on later events", () => {
    expect(all(['event: tick\nid: 7\ndata: {"n":1}\n\ndata:x\n\n'])).toEqual([
      { type: "tick", data: '{"n":1}', id: "7" },
      { type: "message", data: "x", id: "7" },
    ]);
  });

  it("accepts CRLF, LF and CR line ends, a CRLF split between chunks counting once", () => {
    expect(all(["data: a\r", "\n\r", "\ndata: b\r\r"])).toEqual([
      { type: "message", data: "a", id: undefined },
      { type: "message", data: "b", id: undefined },
    ]);
  });

  it("splits anywhere: one character at a time gives the same events", () => {
    const text = "\uFEFFevent: e\ndata: one\n\n: comment\ndata: two\n\n";
    expect(all([...text])).toEqual(all([text]));
    expect(all([text]).map((e) => e.data)).toEqual(["one", "two"]);
  });

  it("ignores comments, retry, unknown fields and events without data", () => {
    expect(all([": hi\nretry: 100\nfoo: bar\n\nevent: empty\n\ndata\n\n"])).toEqual([{ type: "message", data: "", id: undefined }]);
  });

  it("holds an unfinished event until its blank line", () => {
    const parser = new SseParser();
    expect(parser.feed("data: half")).toEqual([]);
    expect(parser.feed("\n")).toEqual([]);
    expect(parser.feed("\n")).toEqual([{ type: "message", data: "half", id: undefined }]);
  });

  it("refuses a line longer than the bound", () => {
    expect(() => new SseParser().feed("x".repeat(MAX_SSE_LINE + 1))).toThrow(/line over/);
  });
});
