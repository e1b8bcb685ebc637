import { GRPC_STATUS } from "@loadline/core";
import type { RequestRecord } from "./transport.ts";

/** TLS handshake failures as grpc-js words them in an UNAVAILABLE status's details. */
const TLS_DETAILS = /certificate|ssl|tls|handshake|self[- ]signed/i;

/**
 * The failure kind of a call's status. OK, and any status the step's status check lists, is
 * none. DEADLINE_EXCEEDED is a `timeout`. UNAVAILABLE before the server answered anything (no
 * response headers) is the connection failing: `tls` when the handshake did, else `connect`.
 * Any other status is `grpc` (its code is the record's status).
 */
export function grpcFailureKind(
  code: number,
  details: string,
  answered: boolean,
  listed: ReadonlySet<number> | null,
): RequestRecord["failure"] {
  if (code === GRPC_STATUS.OK || listed?.has(code)) return null;
  if (code === GRPC_STATUS.DEADLINE_EXCEEDED) return "timeout";
  if (code === GRPC_STATUS.UNAVAILABLE && !answered) return TLS_DETAILS.test(details) ? "tls" : "connect";
  return "grpc";
}

/** Failures where nothing answered: the record has no status, as an HTTP request that got no response. */
export const isConnectionFailure = (kind: RequestRecord["failure"]): boolean => kind === "connect" || kind === "tls" || kind === "blocked";
