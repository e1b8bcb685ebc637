import { readFileSync } from "node:fs";
import type { Principal } from "@loadline/core";
import { ROLES, type Role } from "@loadline/core";
import { createLocalJWKSet, createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from "jose";
import type { JwtConfig } from "./auth-config.ts";

export type JwtVerifier = (token: string) => Promise<Principal>;

/** Why a JWT was refused, in words a client can act on (never the token). */
export class CredentialError extends Error {}

const TENANT = /^[A-Za-z0-9-][A-Za-z0-9_-]{0,63}$/;

/**
 * Verifies JWTs from an identity provider: the signature (JWKS by URL or file, or a shared
 * HS256/HS512 secret), `iss` and `aud` when configured, `exp`/`nbf` with a little leeway; the
 * tenant and role come from the configured claims, and the actor is `jwt:<sub>`.
 */
export function jwtVerifier(config: JwtConfig): JwtVerifier {
  const key: Uint8Array | JWTVerifyGetKey = config.secret
    ? new TextEncoder().encode(config.secret)
    : config.jwksUrl
      ? createRemoteJWKSet(new URL(config.jwksUrl))
      : createLocalJWKSet(JSON.parse(readFileSync(config.jwksFile as string, "utf8")));
  const algorithms = config.secret ? ["HS256", "HS512"] : ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"];
  const options = {
    algorithms,
    clockTolerance: config.leewaySec,
    requiredClaims: ["exp", "sub"],
    ...(config.issuer ? { issuer: config.issuer } : {}),
    ...(config.audience ? { audience: config.audience } : {}),
  };
  return async (token) => {
    let payload: JWTPayload;
    try {
      // The overloads of jwtVerify differ by key kind; both are checked with the same options.
      payload = (typeof key === "function" ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options)).payload;
    } catch (err) {
      const code = (err as { code?: string }).code ?? "ERR_JWT_INVALID";
      throw new CredentialError(`the token was refused (${code})`);
    }
    const tenant = payload[config.tenantClaim];
    const role = payload[config.roleClaim];
    const platformAdmin = role === config.platformRole;
    if (typeof tenant !== "string" || !TENANT.test(tenant))
      throw new CredentialError(`the token has no valid "${config.tenantClaim}" claim`);
    if (!platformAdmin && !ROLES.includes(role as Role))
      throw new CredentialError(`the token's "${config.roleClaim}" claim is not one of ${ROLES.join(", ")}`);
    return { tenantId: tenant, role: platformAdmin ? "admin" : (role as Role), actor: `jwt:${payload.sub}`, platformAdmin };
  };
}
