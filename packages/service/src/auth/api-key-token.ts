import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * An API key as a client holds it: `llk_<key id>_<secret>`. The id finds the key's record; the
 * secret (32 random bytes, hex) is shown once and only its SHA-256 is stored. A fast hash is
 * enough for a secret of 256 random bits: no dictionary to guess from, nothing to stretch.
 */
const TOKEN = /^llk_([0-9a-f-]{36})_([0-9a-f]{64})$/;

export type ApiKeyToken = { keyId: string; secret: string };

export const hashSecret = (secret: string): string => createHash("sha256").update(secret).digest("hex");

export function newApiKeySecret(): { secret: string; hash: string } {
  const secret = randomBytes(32).toString("hex");
  return { secret, hash: hashSecret(secret) };
}

export const formatApiKey = (keyId: string, secret: string): string => `llk_${keyId}_${secret}`;

export function parseApiKey(token: string): ApiKeyToken | null {
  const match = TOKEN.exec(token);
  return match ? { keyId: match[1] as string, secret: match[2] as string } : null;
}

export const isApiKeyShaped = (token: string): boolean => token.startsWith("llk_");

/** Whether `secret` is the one whose hash was stored, in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}
