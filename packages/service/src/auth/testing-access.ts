import type { Access } from "@loadline/core";
import type { AccessControl } from "./access-control.ts";
import { createAuthenticator } from "./authenticator.ts";

/**
 * For tests of a service's own routes: dev-mode authentication (X-Tenant-Id and X-Actor
 * trusted, every caller an admin of its tenant) and every route open to a viewer, no rate limit.
 * The real table and credentials are tested where the API is assembled.
 */
export function devAccess(accessOf: (route: string) => Access | undefined = () => "viewer"): AccessControl {
  const authenticator = createAuthenticator(
    { mode: "dev", metricsAccess: "open", rateLimit: { perSec: 1e9, burst: 1e9 } },
    async () => null,
  );
  return { authenticator, accessOf, rateLimit: { perSec: 1e9, burst: 1e9 } };
}
