import type { TransportFailureKind } from "../scenario/index.ts";

const CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
]);
const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);
/** OpenSSL's certificate verification codes and Node's TLS errors: the handshake failed. */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_|HOSTNAME_MISMATCH$)/;

/**
 * What kind of failure an undici error is. A TLS handshake's (an untrusted certificate, say) is
 * `tls`. Another error before the request got onto a socket is a connect failure whatever its
 * code (refused, unreachable); after, it is a timeout
 * or else a reset (the peer closed or reset the connection, or the request was aborted).
 */
export function failureKindOf(err: unknown, onSocket: boolean): TransportFailureKind {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && TIMEOUT_CODES.has(code)) return "timeout";
  if (typeof code === "string" && CONNECT_CODES.has(code)) return "connect";
  if (typeof code === "string" && TLS_CODE.test(code)) return "tls";
  return onSocket ? "reset" : "connect";
}
