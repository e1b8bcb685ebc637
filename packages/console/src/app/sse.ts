/** One server-sent event: its type (`message` when unnamed), data and the last id seen. */
export type SseEvent = { event: string; data: string; id: string };

/**
 * An incremental parser of a `text/event-stream` (the WHATWG rules): feed it chunks as they come,
 * split anywhere (inside a line, between \r and \n); it calls `onEvent` for each complete event.
 * Comments (`: ping`) and events without data are not dispatched; `id` persists across events.
 */
export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private event = "";
  private sawCr = false;
  /** The last event id the stream set: what a reconnection resumes from. */
  lastId = "";
  retryMs: number | null = null;

  constructor(private readonly onEvent: (e: SseEvent) => void) {}

  feed(chunk: string): void {
    let text = chunk;
    // A \r ended the previous chunk's line: a \n starting this one belongs to it.
    if (this.sawCr && text.startsWith("\n")) text = text.slice(1);
    this.sawCr = false;
    let start = 0;
    this.buffer += text;
    const buf = this.buffer;
    for (let i = 0; i < buf.length; i++) {
      const ch = buf.charCodeAt(i);
      if (ch !== 10 && ch !== 13) continue;
      this.line(buf.slice(start, i));
      if (ch === 13) {
        if (i + 1 < buf.length) {
          if (buf.charCodeAt(i + 1) === 10) i++;
        } else this.sawCr = true;
      }
      start = i + 1;
    }
    this.buffer = buf.slice(start);
  }

  /** The stream ended: an event not closed by a blank line is dropped, as the spec says. */
  end(): void {
    this.buffer = "";
    this.data = [];
    this.event = "";
    this.sawCr = false;
  }

  private line(line: string): void {
    if (line === "") {
      this.dispatch();
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "data":
        this.data.push(value);
        break;
      case "event":
        this.event = value;
        break;
      case "id":
        if (!value.includes("\0")) this.lastId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
    }
  }

  private dispatch(): void {
    const data = this.data;
    const event = this.event || "message";
    this.data = [];
    this.event = "";
    if (data.length === 0) return;
    this.onEvent({ event, data: data.join("\n"), id: this.lastId });
  }
}
