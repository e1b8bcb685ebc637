/**
 * The last few KB a child process wrote: what its log line and a failure's reason show. Tenant
 * code writes there (print, tracebacks), so it is bounded and never logged whole.
 */
export class OutputTail {
  private text = "";

  constructor(private readonly maxChars = 4096) {}

  push(chunk: string | Buffer): void {
    this.text = (this.text + chunk.toString()).slice(-this.maxChars);
  }

  toString(): string {
    return this.text.trim();
  }

  /** The last line that looks like the cause (a Python exception, an error log), else the last line. */
  reason(): string {
    const lines = this.toString()
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
    const cause = lines.findLast((l) => /^(\w+\.)*\w*(Error|Exception)\b|^\[.*\] .*(ERROR|CRITICAL)/.test(l));
    return (cause ?? lines.at(-1) ?? "").slice(0, 500);
  }
}
