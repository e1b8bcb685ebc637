import { z } from "zod";

/**
 * How a request's connection is made. Self-signed certificates are accepted only when said:
 * `ca` trusts the PEM certificates given, `insecureSkipVerify` trusts any (both off by default).
 */
export const tlsOptionsSchema = z
  .object({
    /** PEM certificates to trust besides the system's, for a target with a private or self-signed CA. */
    ca: z
      .string()
      .max(65_536)
      .refine((pem) => pem.includes("-----BEGIN CERTIFICATE-----"), { message: "ca must hold PEM certificates" })
      .optional(),
    /** Accepts any certificate, unverified: for test targets only. */
    insecureSkipVerify: z.boolean().optional(),
  })
  .strict();
export type TlsOptions = z.infer<typeof tlsOptionsSchema>;

/**
 * `version: "2"` offers HTTP/2 by ALPN (https targets; a server that declines gets HTTP/1.1),
 * its requests multiplexed as streams over few connections. On the test: its requests' default;
 * on a request step: that step's own, field by field over the test's.
 */
export const httpOptionsSchema = z
  .object({
    version: z.enum(["1.1", "2"]).optional(),
    tls: tlsOptionsSchema.optional(),
  })
  .strict();
export type HttpOptions = z.infer<typeof httpOptionsSchema>;

/** A step's options over its test's: each field the step gives replaces the test's. */
export function effectiveHttpOptions(test: HttpOptions | undefined, step: HttpOptions | undefined): HttpOptions | undefined {
  if (!step) return test;
  if (!test) return step;
  const version = step.version ?? test.version;
  const tls = step.tls ?? test.tls;
  return { ...(version ? { version } : {}), ...(tls ? { tls } : {}) };
}

/** Whether the options change nothing from plain HTTP/1.1 with verified certificates: the default connections serve them. */
export const isDefaultHttp = (o: HttpOptions | undefined): boolean =>
  !o || ((o.version ?? "1.1") === "1.1" && !o.tls?.ca && !o.tls?.insecureSkipVerify);
