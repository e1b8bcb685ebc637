import type { AccessControl } from "./access-control.ts";
import type { AuthConfig } from "./auth-config.ts";
import { type ApiKeyLookup, createAuthenticator } from "./authenticator.ts";
import { routeAccess } from "./route-access.ts";

/**
 * A service's access control from its configuration. A service without the read model (worker,
 * agent, orchestrator: ops routes only) knows no API keys; with LL_METRICS_ACCESS=keyed its
 * /metrics takes the bootstrap key or a JWT.
 */
export function serviceAccess(config: AuthConfig, lookup: ApiKeyLookup = async () => null): AccessControl {
  const routes = routeAccess(config.metricsAccess);
  return { authenticator: createAuthenticator(config, lookup), accessOf: (route) => routes[route], rateLimit: config.rateLimit };
}
