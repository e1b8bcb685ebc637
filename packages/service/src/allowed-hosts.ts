/** What a Host header may name on a server listening on a loopback address, when nothing is configured. */
export const LOOPBACK_HOSTS: readonly string[] = ["localhost", "127.0.0.1", "[::1]"];

const isLoopback = (host: string): boolean =>
  host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

/**
 * The Host names a server answers to, null for any. Configured (LL_ALLOWED_HOSTS): those, `*`
 * meaning any. Otherwise a server on a loopback address answers only to loopback names, so a
 * page whose DNS name was rebound to 127.0.0.1 cannot reach it; one listening elsewhere sits
 * behind whatever names its operators give it, so it takes any.
 */
export function allowedHostsFor(listenHost: string, configured: readonly string[] | undefined): readonly string[] | null {
  const entries = (configured ?? []).map((h) => h.trim().toLowerCase()).filter(Boolean);
  if (entries.length > 0) return entries.includes("*") ? null : entries;
  return isLoopback(listenHost.toLowerCase()) ? LOOPBACK_HOSTS : null;
}

/** Whether a Host header names an allowed host: an entry with a port must match it exactly, one without takes any port. */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const h = host.trim().toLowerCase();
  const m = /^(\[[0-9a-f:.]*\]|[^:[\]]*)(?::\d*)?$/.exec(h);
  if (!m) return false;
  return allowed.some((a) => a === h || a === m[1]);
}
