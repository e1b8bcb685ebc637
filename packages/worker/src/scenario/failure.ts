import type { FailureKind } from "@loadline/core";
import { TransportFailure, type TransportFailureKind } from "./transport.ts";

/** Why a request failed: the first that applies of transport, 5xx, 4xx, a failed check; null when it succeeded. */
export function failureOf(transport: TransportFailureKind | null, status: number | null, checksFailed: number): FailureKind | null {
  if (transport !== null) return transport;
  if (status !== null && status >= 500) return "5xx";
  if (status !== null && status >= 400) return "4xx";
  return checksFailed > 0 ? "check" : null;
}

/** The kind of a transport's rejection; anything the transport did not classify counts as a reset. */
export function transportFailureKind(error: unknown): TransportFailureKind {
  if (error instanceof TransportFailure) return error.kind;
  if (error instanceof Error && error.name === "TimeoutError") return "timeout";
  return "reset";
}
