import { readFileSync } from "node:fs";
import { DEFAULT_TENANT, type Principal, type Role } from "@loadline/core";
import { hashSecret, isApiKeyShaped, parseApiKey, secretMatches } from "./api-key-token.ts";
import type { AuthConfig } from "./auth-config.ts";
import { CredentialError, jwtVerifier } from "./jwt.ts";

/** An API key's record as the read side keeps it. */
export type StoredApiKey = { tenantId: string; role: Role; hash: string; expiresAt: string | null; revoked: boolean };

/** Finds a key by its id (the read model's api_keys), or null. */
export type ApiKeyLookup = (keyId: string) => Promise<StoredApiKey | null>;

/** Who a request is from, from its headers; throws CredentialError when it has no acceptable credential. */
export type Authenticator = {
  readonly mode: "on" | "dev";
  authenticate(headers: {
    authorization?: string | undefined;
    tenant?: string | undefined;
    actor?: string | undefined;
  }): Promise<Principal>;
  /** Forget what was cached of a key (it was just revoked here). */
  forget(keyId: string): void;
};

/** How long a looked-up key is trusted without asking the read model again: a revocation elsewhere takes this long. */
const KEY_CACHE_MS = 2_000;
const BOOTSTRAP_KEY_ID = "00000000-0000-0000-0000-000000000000";

/** The bootstrap key's token: the platform admin's before any key exists. */
export const bootstrapKeyFor = (secret: string): string => `llk_${BOOTSTRAP_KEY_ID}_${secret}`;

export function createAuthenticator(config: AuthConfig, lookup: ApiKeyLookup, now: () => number = Date.now): Authenticator {
  const verifyJwt = config.jwt ? jwtVerifier(config.jwt) : undefined;
  const bootstrap = config.bootstrapKeyFile ? parseApiKey(readFileSync(config.bootstrapKeyFile, "utf8").trim()) : null;
  if (config.bootstrapKeyFile && bootstrap?.keyId !== BOOTSTRAP_KEY_ID)
    throw new Error(`${config.bootstrapKeyFile} does not hold a bootstrap key (llk_${BOOTSTRAP_KEY_ID}_<64 hex>)`);
  const bootstrapHash = bootstrap ? hashSecret(bootstrap.secret) : undefined;
  const cache = new Map<string, { key: StoredApiKey | null; until: number }>();

  async function keyOf(keyId: string): Promise<StoredApiKey | null> {
    const hit = cache.get(keyId);
    if (hit && hit.until > now()) return hit.key;
    const key = await lookup(keyId);
    if (cache.size > 10_000) cache.clear();
    cache.set(keyId, { key, until: now() + KEY_CACHE_MS });
    return key;
  }

  async function fromApiKey(token: string): Promise<Principal> {
    const parsed = parseApiKey(token);
    if (!parsed) throw new CredentialError("malformed API key");
    if (bootstrapHash && parsed.keyId === BOOTSTRAP_KEY_ID) {
      if (!secretMatches(parsed.secret, bootstrapHash)) throw new CredentialError("unknown API key");
      return { tenantId: DEFAULT_TENANT, role: "admin", actor: "bootstrap", platformAdmin: true, keyId: BOOTSTRAP_KEY_ID };
    }
    const key = await keyOf(parsed.keyId);
    if (!key || !secretMatches(parsed.secret, key.hash)) throw new CredentialError("unknown API key");
    if (key.revoked) throw new CredentialError("the API key was revoked");
    if (key.expiresAt !== null && Date.parse(key.expiresAt) <= now()) throw new CredentialError("the API key has expired");
    return { tenantId: key.tenantId, role: key.role, actor: `key:${parsed.keyId}`, platformAdmin: false, keyId: parsed.keyId };
  }

  return {
    mode: config.mode,
    forget: (keyId) => void cache.delete(keyId),
    async authenticate({ authorization, tenant, actor }) {
      if (config.mode === "dev" && authorization === undefined) {
        return { tenantId: tenant ?? DEFAULT_TENANT, role: "admin", actor: actor ?? "api", platformAdmin: false };
      }
      const match = /^Bearer +(\S+)\s*$/i.exec(authorization ?? "");
      if (!match)
        throw new CredentialError(authorization === undefined ? "a credential is required" : "Authorization must be Bearer <token>");
      const token = match[1] as string;
      if (isApiKeyShaped(token)) return fromApiKey(token);
      if (!verifyJwt) throw new CredentialError("malformed API key");
      return verifyJwt(token);
    },
  };
}
