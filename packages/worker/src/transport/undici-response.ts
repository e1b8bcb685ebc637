import { util } from "undici";
import type { IncomingResponse } from "../scenario/index.ts";
import type { RawHeaders } from "./http1-connection.ts";

export type Headers = Record<string, string | string[] | undefined>;

const RAW = Symbol("raw headers");
const NO_SET_COOKIE = Symbol("no set-cookie");
type LazyHeaders = Headers & { [RAW]?: RawHeaders | null; [NO_SET_COOKIE]?: boolean };

/** Parses the raw headers into the target the first time anything reads them. */
function parseOnce(t: LazyHeaders): void {
  const raw = t[RAW];
  if (!raw) return;
  t[RAW] = null;
  util.parseHeaders(raw as Buffer[], t as Record<string, string | string[]>);
}

/**
 * Headers parsed only when read. The step runtime looks up set-cookie on every response; that
 * answer comes from a scan of the raw names, and the rest (about 1.3 µs a response, some 4% of
 * a request's CPU) is parsed only if a check or an extraction reads a header.
 */
const lazyHeaders: ProxyHandler<LazyHeaders> = {
  get(t, key) {
    if (key === "set-cookie" && t[NO_SET_COOKIE]) return undefined;
    parseOnce(t);
    return t[key as string];
  },
  has(t, key) {
    parseOnce(t);
    return key in t;
  },
  ownKeys(t) {
    parseOnce(t);
    return Reflect.ownKeys(t).filter((k) => typeof k === "string");
  },
  getOwnPropertyDescriptor(t, key) {
    parseOnce(t);
    return Reflect.getOwnPropertyDescriptor(t, key);
  },
};

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

export function headersOf(raw: RawHeaders | null): Headers {
  if (raw === null || raw.length === 0) return {};
  // With cookies the session reads them at once: parse now, no proxy.
  if (hasSetCookie(raw)) return util.parseHeaders(raw as Buffer[]) as Headers;
  const target: LazyHeaders = {};
  target[RAW] = raw;
  target[NO_SET_COOKIE] = true;
  return new Proxy(target, lazyHeaders);
}

/** A response as the step runtime reads it, its headers parsed on demand. */
export class UndiciResponse implements IncomingResponse {
  readonly headers: Headers;

  constructor(
    readonly status: number,
    raw: RawHeaders | null,
    readonly body: string,
    readonly bytes: number,
    readonly protocol: string,
  ) {
    this.headers = headersOf(raw);
  }
}
