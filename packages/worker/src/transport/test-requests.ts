import { expect } from "vitest";
import { type OutgoingRequest, TransportFailure } from "../scenario/index.ts";

/** A GET of `/` to `origin` with a 5 s timeout, with `over` in place of any of it. */
export const request = (origin: string, over: Partial<OutgoingRequest> = {}): OutgoingRequest => ({
  origin,
  path: "/",
  method: "GET",
  headers: {},
  timeoutMs: 5000,
  ...over,
});

/** A signal that never aborts. */
export const never = new AbortController().signal;

/** The kind of TransportFailure `p` fails with; a test failure if it succeeds or fails otherwise. */
export async function failureOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(TransportFailure);
    return (err as TransportFailure).kind;
  }
  throw new Error("no failure");
}
