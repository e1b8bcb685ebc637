import type { Dispatcher } from "undici";
import { isToken } from "./http-token.ts";

/** What a request is dispatched with; `head`: its request head once made, kept where the options are sent again (see HttpTransport). */
export type RequestOptions = Dispatcher.DispatchOptions & { head?: string };

/** A request that cannot be sent as it is (a path, method or header that would break the request line or head). */
export class InvalidRequest extends Error {
  readonly code = "UND_ERR_INVALID_ARG";
}

/** A byte a header value may not hold: a control but tab (CR and LF would start a header of their own). */
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
/** A path of visible characters only: a space or a control would end the request line. */
const BAD_PATH = /[^\x21-\xff]/;
/** Methods whose requests carry a body: without one they say `content-length: 0`, as undici does. */
const PAYLOAD_METHODS = new Set(["POST", "PUT", "PATCH", "QUERY"]);
/** Set from the request itself: a scenario's own would contradict it. */
const OWN_HEADERS = new Set(["content-length", "transfer-encoding", "connection", "keep-alive", "upgrade"]);

/**
 * The head of an HTTP/1.1 request, in latin1 as it goes on the wire: the request line, `host`
 * (unless the request names its own), the request's headers, and the body's `content-length`.
 * Throws InvalidRequest for a method, path or header that could not be sent as it is: values
 * rendered from variables (a response's data, say) must not smuggle a header or a request in.
 */
export function requestHead(options: Dispatcher.DispatchOptions, host: string): string {
  const { method, path } = options;
  if (!isToken(method)) throw new InvalidRequest(`invalid method ${JSON.stringify(method)}`);
  if (path[0] !== "/" || BAD_PATH.test(path)) throw new InvalidRequest("invalid request path");
  let head = `${method} ${path} HTTP/1.1\r\n`;
  let hostGiven = false;
  const headers = (options.headers ?? {}) as Record<string, string | string[] | undefined>;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (!isToken(name)) throw new InvalidRequest(`invalid header name ${JSON.stringify(name)}`);
    const lower = name.toLowerCase();
    if (OWN_HEADERS.has(lower)) continue;
    if (lower === "host") hostGiven = true;
    for (const v of Array.isArray(value) ? value : [value]) {
      if (BAD_VALUE.test(v)) throw new InvalidRequest(`invalid value for header ${name}`);
      head += `${name}: ${v}\r\n`;
    }
  }
  if (!hostGiven) head += `host: ${host}\r\n`;
  const body = options.body;
  if (typeof body === "string") head += `content-length: ${Buffer.byteLength(body)}\r\n`;
  else if (PAYLOAD_METHODS.has(method)) head += "content-length: 0\r\n";
  return `${head}\r\n`;
}
