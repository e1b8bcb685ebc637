import { z } from "zod";

/**
 * How requests are authenticated. `on` (the default): a credential is required and it alone
 * says who and which tenant; `dev`: nothing is required and X-Tenant-Id / X-Actor are trusted,
 * for a developer's machine only (every caller is an admin of the tenant it names).
 */
export const authEnvSchema = z.object({
  LL_AUTH: z.enum(["on", "dev"]).default("on"),
  /** A file holding the bootstrap key: a platform admin's key that exists before any key was created (the embedded stack writes one). */
  LL_BOOTSTRAP_KEY_FILE: z.string().optional(),
  /** Shared secret for HS256/HS512 JWTs. */
  LL_JWT_SECRET: z.string().min(32, "LL_JWT_SECRET must be at least 32 characters").optional(),
  LL_JWT_JWKS_URL: z.string().url().optional(),
  LL_JWT_JWKS_FILE: z.string().optional(),
  LL_JWT_ISSUER: z.string().optional(),
  LL_JWT_AUDIENCE: z.string().optional(),
  LL_JWT_TENANT_CLAIM: z.string().default("tenant"),
  LL_JWT_ROLE_CLAIM: z.string().default("role"),
  /** The role claim's value that makes its holder the platform admin. */
  LL_JWT_PLATFORM_ROLE: z.string().default("platform-admin"),
  LL_JWT_LEEWAY_SEC: z.coerce.number().int().min(0).max(300).default(30),
  /** `open`: /metrics answers anyone (a Prometheus on the same network); `keyed`: a credential of any role. */
  LL_METRICS_ACCESS: z.enum(["open", "keyed"]).default("open"),
  /** Requests a second per credential (token bucket), and the burst it may take at once. */
  LL_RATE_LIMIT_PER_SEC: z.coerce.number().positive().default(100),
  LL_RATE_LIMIT_BURST: z.coerce.number().int().positive().default(200),
});

export type JwtConfig = {
  secret?: string;
  jwksUrl?: string;
  jwksFile?: string;
  issuer?: string;
  audience?: string;
  tenantClaim: string;
  roleClaim: string;
  platformRole: string;
  leewaySec: number;
};

export type AuthConfig = {
  mode: "on" | "dev";
  bootstrapKeyFile?: string;
  /** Absent when no JWT issuer is configured: bearer tokens are then API keys only. */
  jwt?: JwtConfig;
  metricsAccess: "open" | "keyed";
  rateLimit: { perSec: number; burst: number };
};

export function authConfigOf(e: z.infer<typeof authEnvSchema>): AuthConfig {
  const hasJwt = e.LL_JWT_SECRET !== undefined || e.LL_JWT_JWKS_URL !== undefined || e.LL_JWT_JWKS_FILE !== undefined;
  const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));
  return {
    mode: e.LL_AUTH,
    ...optional("bootstrapKeyFile", e.LL_BOOTSTRAP_KEY_FILE),
    ...(hasJwt
      ? {
          jwt: {
            ...optional("secret", e.LL_JWT_SECRET),
            ...optional("jwksUrl", e.LL_JWT_JWKS_URL),
            ...optional("jwksFile", e.LL_JWT_JWKS_FILE),
            ...optional("issuer", e.LL_JWT_ISSUER),
            ...optional("audience", e.LL_JWT_AUDIENCE),
            tenantClaim: e.LL_JWT_TENANT_CLAIM,
            roleClaim: e.LL_JWT_ROLE_CLAIM,
            platformRole: e.LL_JWT_PLATFORM_ROLE,
            leewaySec: e.LL_JWT_LEEWAY_SEC,
          },
        }
      : {}),
    metricsAccess: e.LL_METRICS_ACCESS,
    rateLimit: { perSec: e.LL_RATE_LIMIT_PER_SEC, burst: e.LL_RATE_LIMIT_BURST },
  };
}

/** The authentication settings from the environment (LL_AUTH, LL_JWT_*, ...): a bad one stops the service naming it. */
export function loadAuthConfig(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const parsed = authEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`bad configuration: ${z.prettifyError(parsed.error)}`);
  return authConfigOf(parsed.data);
}
