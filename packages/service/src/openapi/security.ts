import type { Access } from "@loadline/core";

/** How callers authenticate (auth/authenticator.ts): `Authorization: Bearer` with an API key or a JWT. */
export const SECURITY_SCHEMES = {
  apiKey: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "llk_<key id>_<secret>",
    description:
      "An API key of a tenant (POST /v1/api-keys), or the platform admin's bootstrap key (the embedded stack keeps it in .data/admin-key).",
  },
  jwt: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "A JWT of the configured issuer (LL_JWT_*): its claims name the tenant and the role.",
  },
} as const;

/** An operation's security: none for a public route, else either credential. */
export const securityOf = (access: Access): Record<string, string[]>[] => (access === "public" ? [] : [{ apiKey: [] }, { jwt: [] }]);
