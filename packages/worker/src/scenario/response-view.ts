import type { IncomingResponse } from "./transport.ts";

const UNPARSED: unique symbol = Symbol("unparsed");

/** A response as checks and extractions read it: the body parsed as JSON at most once, and only if asked. */
export class ResponseView {
  private parsed: unknown = UNPARSED;

  constructor(
    readonly response: IncomingResponse,
    readonly latencyMs: number,
  ) {}

  /** The body as JSON; undefined when it is not JSON. */
  json(): unknown {
    if (this.parsed === UNPARSED) {
      try {
        this.parsed = JSON.parse(this.response.body);
      } catch {
        this.parsed = undefined;
      }
    }
    return this.parsed;
  }

  /** A header by its lower-case name; falls back to a case-insensitive scan for transports that keep the case. */
  header(lowerName: string): string | string[] | undefined {
    const headers = this.response.headers;
    const direct = headers[lowerName];
    if (direct !== undefined) return direct;
    for (const name in headers) if (name.toLowerCase() === lowerName) return headers[name];
    return undefined;
  }
}

/** A header's values as a list: none, one, or several (set-cookie). */
export const headerValues = (v: string | string[] | undefined): readonly string[] =>
  v === undefined ? [] : typeof v === "string" ? [v] : v;
