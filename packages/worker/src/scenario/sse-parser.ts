/** One Server-Sent Event as dispatched (WHATWG HTML, "event stream interpretation"). */
export type SseEvent = { readonly type: string; readonly data: string; readonly id: string | undefined };

const CR = 13;
const LF = 10;
/** A line longer than this is a stream that never ends its lines: refused rather than buffered for ever. */
export const MAX_SSE_LINE = 1_048_576;

/**
 * An incremental parser of a text/event-stream: feed it decoded text in chunks of any size, it
 * returns the events those chunks complete. Lines end in CRLF, LF or CR (a CRLF split between
 * chunks counts once); `:` lines are comments; `data` lines join with "\n"; an event with no
 * data is not dispatched; `retry` is ignored (a step does not reconnect).
 */
export class SseParser {
  private rest = "";
  private data: string[] = [];
  private type = "";
  private lastId: string | undefined;
  private afterCR = false;
  private started = false;

  feed(chunk: string): SseEvent[] {
    const out: SseEvent[] = [];
    let text = this.rest + chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let i = this.afterCR && text.charCodeAt(0) === LF ? 1 : 0;
    this.afterCR = false;
    let start = i;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== CR && c !== LF) continue;
      this.line(text.slice(start, i), out);
      if (c === CR) {
        if (i + 1 === text.length) this.afterCR = true;
        else if (text.charCodeAt(i + 1) === LF) i++;
      }
      start = i + 1;
    }
    this.rest = text.slice(start);
    if (this.rest.length > MAX_SSE_LINE) throw new Error(`an event stream line over ${MAX_SSE_LINE} characters`);
    return out;
  }

  private line(line: string, out: SseEvent[]): void {
    if (line === "") {
      if (this.data.length > 0) out.push({ type: this.type || "message", data: this.data.join("\n"), id: this.lastId });
      this.data = [];
      this.type = "";
      return;
    }
    const colon = line.indexOf(":");
    if (colon === 0) return;
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.type = value;
    else if (field === "id" && !value.includes("\0")) this.lastId = value;
  }
}
