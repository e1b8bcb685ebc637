import { describe, expect, it } from "vitest";
import { type SseEvent, SseParser } from "./sse.ts";

function parse(...chunks: string[]): { events: SseEvent[]; parser: SseParser } {
  const events: SseEvent[] = [];
  const parser = new SseParser((e) => events.push(e));
  for (const c of chunks) parser.feed(c);
  return { events, parser };
}

describe("SseParser", () => {
  it("reads named events with ids, and keeps the last id", () => {
    const { events, parser } = parse('retry: 1000\n\nevent: run\nid: 5.0\ndata: {"a":1}\n\nevent: second\nid: 5.7\ndata: {"s":2}\n\n');
    expect(events).toEqual([
      { event: "run", data: '{"a":1}', id: "5.0" },
      { event: "second", data: '{"s":2}', id: "5.7" },
    ]);
    expect(parser.lastId).toBe("5.7");
    expect(parser.retryMs).toBe(1000);
  });

  it("joins data lines with newlines, ignores comments, unknown fields and events without data", () => {
    const { events } = parse(": ping\n\nfoo: bar\ndata: one\ndata:two\ndata\n\nevent: lonely\n\n");
    expect(events).toEqual([{ event: "message", data: "one\ntwo\n", id: "" }]);
  });

  it("takes chunks split anywhere, CRLF split between chunks included", () => {
    const text = 'event: second\r\nid: 1.2\r\ndata: {"x":1}\r\n\r\nevent: end\rdata: {}\r\r';
    const whole = parse(text).events;
    expect(whole.map((e) => e.event)).toEqual(["second", "end"]);
    for (let cut = 1; cut < text.length; cut++) expect(parse(text.slice(0, cut), text.slice(cut)).events).toEqual(whole);
    // One character at a time.
    expect(parse(...text).events).toEqual(whole);
  });

  it("keeps the id of an event after it for the next ones, and refuses an id with NUL", () => {
    const { events, parser } = parse("id: 7\ndata: a\n\ndata: b\n\nid: x\0y\ndata: c\n\n");
    expect(events.map((e) => e.id)).toEqual(["7", "7", "7"]);
    expect(parser.lastId).toBe("7");
  });

  it("drops an event cut off by the end of the stream", () => {
    const { events, parser } = parse('event: second\ndata: {"partial"');
    parser.end();
    parser.feed("\n\n");
    expect(events).toEqual([]);
  });
});
