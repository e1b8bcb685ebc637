/**
 * Splits a byte stream into lines, none longer than `maxBytes`: a longer one is dropped whole
 * (and counted), never buffered. The Locust channel is writable by tenant code, so a line
 * without end must not grow the worker's memory.
 */
export class BoundedLines {
  private pending = "";
  private skipping = false;
  /** Lines dropped for their length. */
  dropped = 0;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxBytes = 64 * 1024,
  ) {}

  push(chunk: Buffer | string): void {
    const text = this.pending + chunk.toString();
    let start = 0;
    for (let end = text.indexOf("\n", start); end >= 0; end = text.indexOf("\n", start)) {
      if (!this.skipping && end - start <= this.maxBytes) this.onLine(text.slice(start, end));
      this.skipping = false;
      start = end + 1;
    }
    this.pending = text.slice(start);
    if (this.pending.length > this.maxBytes) {
      if (!this.skipping) this.dropped++;
      this.skipping = true;
      this.pending = "";
    }
  }
}
