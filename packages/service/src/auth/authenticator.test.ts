import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportJWK, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { formatApiKey, hashSecret, newApiKeySecret } from "./api-key-token.ts";
import type { AuthConfig, JwtConfig } from "./auth-config.ts";
import { createAuthenticator, type StoredApiKey } from "./authenticator.ts";
import { ensureBootstrapKey } from "./bootstrap-key.ts";
import { CredentialError } from "./jwt.ts";

const SECRET = "a-shared-secret-of-at-least-32-characters!";
const base: AuthConfig = { mode: "on", metricsAccess: "open", rateLimit: { perSec: 10, burst: 10 } };
const jwt = (over: Partial<JwtConfig> = {}): JwtConfig => ({
  secret: SECRET,
  issuer: "https://idp.test",
  audience: "loadline",
  tenantClaim: "tenant",
  roleClaim: "role",
  platformRole: "platform-admin",
  leewaySec: 30,
  ...over,
});

const sign = (claims: Record<string, unknown>, opts: { exp?: string | number; aud?: string; iss?: string; key?: string } = {}) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("alice")
    .setIssuer(opts.iss ?? "https://idp.test")
    .setAudience(opts.aud ?? "loadline")
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? "5m")
    .sign(new TextEncoder().encode(opts.key ?? SECRET));

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CredentialError);
  return (err as Error).message;
}

describe("API keys", () => {
  const keyId = "0196f3a0-7c1e-7d3a-9b1e-2f4c5d6e7f80";
  const { secret, hash } = newApiKeySecret();
  const stored = (over: Partial<StoredApiKey> = {}): StoredApiKey => ({
    tenantId: "a",
    role: "editor",
    hash,
    expiresAt: null,
    revoked: false,
    ...over,
  });
  const withKey = (key: StoredApiKey | null, now?: () => number) =>
    createAuthenticator(base, async (id) => (id === keyId ? key : null), now);

  it("gives the key's tenant, role and actor, whatever headers say", async () => {
    const p = await withKey(stored()).authenticate({ ...bearer(formatApiKey(keyId, secret)), tenant: "b", actor: "mallory" });
    expect(p).toEqual({ tenantId: "a", role: "editor", actor: `key:${keyId}`, platformAdmin: false, keyId });
  });

  it("stores only a hash, and refuses a wrong secret, a revoked key and an expired one", async () => {
    expect(hash).toBe(hashSecret(secret));
    expect(hash).not.toContain(secret);
    const wrong = formatApiKey(keyId, "0".repeat(64));
    expect(await refusal(withKey(stored()).authenticate(bearer(wrong)))).toBe("unknown API key");
    expect(await refusal(withKey(stored({ revoked: true })).authenticate(bearer(formatApiKey(keyId, secret))))).toMatch(/revoked/);
    const expired = stored({ expiresAt: "2026-01-01T00:00:00.000Z" });
    expect(await refusal(withKey(expired).authenticate(bearer(formatApiKey(keyId, secret))))).toMatch(/expired/);
    expect(await refusal(withKey(null).authenticate(bearer(formatApiKey(keyId, secret))))).toBe("unknown API key");
  });

  it("caches a lookup for 2 s, and forgets a key at once when told", async () => {
    let now = 0;
    let lookups = 0;
    const auth = createAuthenticator(
      base,
      async () => {
        lookups++;
        return stored();
      },
      () => now,
    );
    const token = bearer(formatApiKey(keyId, secret));
    await auth.authenticate(token);
    await auth.authenticate(token);
    expect(lookups).toBe(1);
    now = 2_001;
    await auth.authenticate(token);
    expect(lookups).toBe(2);
    auth.forget(keyId);
    await auth.authenticate(token);
    expect(lookups).toBe(3);
  });

  it("requires a credential unless in dev mode, where the headers are trusted", async () => {
    expect(await refusal(withKey(null).authenticate({ tenant: "a" }))).toBe("a credential is required");
    expect(await refusal(withKey(null).authenticate({ authorization: "Basic dTpw" }))).toMatch(/Bearer/);
    const dev = createAuthenticator({ ...base, mode: "dev" }, async () => null);
    expect(await dev.authenticate({ tenant: "b", actor: "ci" })).toMatchObject({
      tenantId: "b",
      actor: "ci",
      role: "admin",
      platformAdmin: false,
    });
  });

  it("takes the bootstrap key as the platform admin's, and nothing else under its id", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ll-boot-"));
    const file = join(dir, "admin-key");
    const { key, created } = await ensureBootstrapKey(file);
    expect(created).toBe(true);
    expect((await ensureBootstrapKey(file)).key).toBe(key); // never overwritten
    const auth = createAuthenticator({ ...base, bootstrapKeyFile: file }, async () => null);
    expect(await auth.authenticate(bearer(key))).toMatchObject({ platformAdmin: true, actor: "bootstrap" });
    const forged = `${key.slice(0, -4)}0000`;
    expect(await refusal(auth.authenticate(bearer(forged)))).toBe("unknown API key");
  });
});

describe("JWTs", () => {
  const auth = createAuthenticator({ ...base, jwt: jwt() }, async () => null);

  it("takes tenant and role from the claims, the actor from sub", async () => {
    const p = await auth.authenticate(bearer(await sign({ tenant: "acme", role: "operator" })));
    expect(p).toEqual({ tenantId: "acme", role: "operator", actor: "jwt:alice", platformAdmin: false });
    const admin = await auth.authenticate(bearer(await sign({ tenant: "ops", role: "platform-admin" })));
    expect(admin.platformAdmin).toBe(true);
  });

  it("refuses expired, wrong-audience, wrong-issuer and wrongly signed tokens, and bad claims", async () => {
    const past = Math.floor(Date.now() / 1000) - 120; // past the 30 s leeway
    expect(await refusal(auth.authenticate(bearer(await sign({ tenant: "a", role: "viewer" }, { exp: past }))))).toMatch(/ERR_JWT_EXPIRED/);
    expect(await refusal(auth.authenticate(bearer(await sign({ tenant: "a", role: "viewer" }, { aud: "other" }))))).toMatch(
      /CLAIM_VALIDATION/,
    );
    expect(await refusal(auth.authenticate(bearer(await sign({ tenant: "a", role: "viewer" }, { iss: "https://evil" }))))).toMatch(
      /CLAIM_VALIDATION/,
    );
    const forged = await sign({ tenant: "a", role: "viewer" }, { key: "another-secret-of-at-least-32-characters" });
    expect(await refusal(auth.authenticate(bearer(forged)))).toMatch(/SIGNATURE/);
    expect(await refusal(auth.authenticate(bearer(await sign({ tenant: "a", role: "root" }))))).toMatch(/role/);
    expect(await refusal(auth.authenticate(bearer(await sign({ role: "viewer" }))))).toMatch(/tenant/);
  });

  it("accepts a token within the leeway of its expiry", async () => {
    const justNow = Math.floor(Date.now() / 1000) - 10;
    expect((await auth.authenticate(bearer(await sign({ tenant: "a", role: "viewer" }, { exp: justNow })))).tenantId).toBe("a");
  });

  it("verifies against a JWKS file (RS256), refusing an HS256 token made with the public key", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    const dir = mkdtempSync(join(tmpdir(), "ll-jwks-"));
    writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [jwk] }));
    const { secret: _s, ...rest } = jwt();
    const rs = createAuthenticator({ ...base, jwt: { ...rest, jwksFile: join(dir, "jwks.json") } }, async () => null);
    const token = await new SignJWT({ tenant: "a", role: "admin" })
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setSubject("svc")
      .setIssuer("https://idp.test")
      .setAudience("loadline")
      .setExpirationTime("5m")
      .sign(privateKey);
    expect((await rs.authenticate(bearer(token))).actor).toBe("jwt:svc");
    expect(await refusal(rs.authenticate(bearer(await sign({ tenant: "a", role: "admin" }))))).toMatch(/ERR_JOSE_ALG_NOT_ALLOWED|ERR_JWKS/);

    // The same key served by an identity provider's JWKS URL.
    const idp = createServer((_req, res) => res.setHeader("content-type", "application/json").end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((r) => idp.listen(0, "127.0.0.1", r));
    try {
      const jwksUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/.well-known/jwks.json`;
      const remote = createAuthenticator({ ...base, jwt: { ...rest, jwksUrl } }, async () => null);
      expect((await remote.authenticate(bearer(token))).tenantId).toBe("a");
    } finally {
      idp.close();
    }
  });
});
