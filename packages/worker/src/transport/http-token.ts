/** RFC 9110's tchar, by char code: what a method and a header name are made of. */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[c.charCodeAt(0)] = 1;

/**
 * Whether `text` from `from` to `to` (all of it by default) is a token: one tchar or more. By
 * char code, not a regular expression: in the response parser a regex here was a fifth of a head's parse.
 */
export function isToken(text: string, from = 0, to = text.length): boolean {
  if (from >= to) return false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c > 127 || TCHAR[c] === 0) return false;
  }
  return true;
}
