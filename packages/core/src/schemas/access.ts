import { z } from "zod";
import { quotasSchema } from "../access/quotas.ts";
import { roleSchema } from "../access/roles.ts";

/** A secret's name, as a test refers to it (`{{secrets.API_TOKEN}}`): also its aggregate id. */
export const SECRET_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const secretNameSchema = z.string().regex(SECRET_NAME_PATTERN, "secret names are letters, digits and _, not starting with a digit");

/**
 * A value sealed with AES-256-GCM under one key of the platform's keyring:
 * `v1:<key id>:<iv>:<tag>:<ciphertext>`, base64url. Only sealed values are ever written.
 */
export const sealedValueSchema = z
  .string()
  .max(16_384)
  .regex(/^v1:[A-Za-z0-9_-]{1,32}:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]*$/, "not a sealed value");

const apiKeyCreated = z.object({
  name: z.string().trim().min(1).max(100),
  role: roleSchema,
  /** SHA-256 of the key's secret part, hex: the key itself is shown once and never stored. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  expiresAt: z.string().datetime().nullable(),
});

export const targetAllowListSchema = z.object({ allow: z.array(z.string().min(1).max(253)).max(1000) }).strict();

/** What only the platform admin sets for a tenant: its quotas, and whether its load may reach loopback or private networks. */
export const tenantLimitsSchema = z
  .object({
    quotas: quotasSchema.partial().strict().optional(),
    loopback: z.boolean().optional(),
    privateNetworks: z.boolean().optional(),
  })
  .strict();
export type TenantLimits = z.infer<typeof tenantLimitsSchema>;

export const accessEvents = {
  "api-key.created": apiKeyCreated,
  "api-key.revoked": z.object({}),
  /** The tenant's target allow-list, as its admin set it (the whole list). */
  "tenant.targets-set": targetAllowListSchema,
  /** The tenant's limits, as the platform admin set them (the whole set: unset parts are the platform's defaults). */
  "tenant.limits-set": tenantLimitsSchema,
  "secret.set": z.object({ sealed: sealedValueSchema }),
  "secret.deleted": z.object({}),
} as const;

export const accessCommands = {
  "api-key.create": apiKeyCreated,
  "api-key.revoke": z.object({}),
  "tenant.set-targets": targetAllowListSchema,
  "tenant.set-limits": tenantLimitsSchema,
  "secret.set": z.object({ sealed: sealedValueSchema }),
  "secret.delete": z.object({}),
} as const;
