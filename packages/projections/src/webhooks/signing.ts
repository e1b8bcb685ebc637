import { createHmac, timingSafeEqual } from "node:crypto";

/** How old a signed timestamp a receiver should accept (docs/webhooks.md): past it, a replay. */
export const REPLAY_WINDOW_SEC = 300;

/** `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">` under the subscription's secret (Stripe / Standard Webhooks style). */
export function signature(secret: string, timestampSec: number, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestampSec}.${body}`).digest("hex")}`;
}

/** The headers of one attempt: the delivery id (the idempotency key, the same at every attempt), when it was signed, and the signature. */
export function signedHeaders(deliveryId: string, secret: string, body: string, nowMs: number): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return {
    "content-type": "application/json",
    "user-agent": "Loadline-Webhooks/1",
    "loadline-webhook-id": deliveryId,
    "loadline-webhook-timestamp": String(timestamp),
    "loadline-webhook-signature": signature(secret, timestamp, body),
  };
}

/** A receiver's check, as docs/webhooks.md shows it: the signature over the raw body, within the replay window. */
export function verifySignature(secret: string, header: string, timestampSec: number, body: string, nowMs: number): boolean {
  if (Math.abs(nowMs / 1000 - timestampSec) > REPLAY_WINDOW_SEC) return false;
  const expected = Buffer.from(signature(secret, timestampSec, body));
  // A header may carry several signatures (during a secret's rotation): any one of them may match.
  return header.split(/[ ,]+/).some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
