import { util } from "undici";
import type { IncomingResponse } from "../scenario/index.ts";
import type { RawHeaders } from "./http1-connection.ts";

export type Headers = Record<string, string | string[] | undefined>;

/** Whether any raw header name is set-cookie (any case), without decoding the others. */
function hasSetCookie(raw: RawHeaders): boolean {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    // The first letter before any string: undici's names are Buffers, and most are not an s.
    if (name.length !== 10 || ((typeof name === "string" ? name.charCodeAt(0) : name[0]!) | 0x20) !== 0x73) continue;
    if ((typeof name === "string" ? name : name.toString("latin1")).toLowerCase() === "set-cookie") return true;
  }
  return false;
}

/**
 * A response as the step runtime reads it. Its headers are parsed the first time anything reads
 * them (about 1.3 µs a response, some 4% of a request's CPU): the session reads them for cookies
 * only where `setsCookies` says there are any, so a response whose headers no check or
 * extraction reads is never parsed.
 */
export class UndiciResponse implements IncomingResponse {
  readonly setsCookies: boolean;
  private parsed: Headers | undefined;

  constructor(
    readonly status: number,
    private readonly raw: RawHeaders | null,
    readonly body: string,
    readonly bytes: number,
    readonly protocol: string,
  ) {
    this.setsCookies = raw !== null && hasSetCookie(raw);
  }

  get headers(): Headers {
    this.parsed ??= this.raw === null || this.raw.length === 0 ? {} : (util.parseHeaders(this.raw as Buffer[]) as Headers);
    return this.parsed;
  }
}
