import { type LookupAddress, lookup } from "node:dns";
import { isIP } from "node:net";
import type { TargetPolicy } from "@loadline/core";
import { guardedLookup, originRefusal, type Resolver } from "../../transport/target-guard.ts";

/** Where a Locust process may connect: the addresses of the test's target (as "ip:port", "[ipv6]:port"), or why none. */
export type ApprovedAddresses = { addresses: string[]; refusal?: string };

const systemResolver: Resolver = (hostname, options, callback) => lookup(hostname, options, callback);

/** An address as the plugin writes it (loadline_plugin.py `_address_key`). */
export const addressKey = (ip: string, port: number): string => (isIP(ip) === 6 ? `[${ip}]:${port}` : `${ip}:${port}`);

/**
 * The addresses a Locust process may reach for a run: its targetUrl's host resolved by the
 * worker's target guard, so under the tenant's policy (when the run has one) exactly the
 * addresses the built-in engine would connect to, at the target's port. Locust makes its own
 * connections; the plugin refuses every other (docs/locust.md). An origin the policy refuses,
 * or a name that does not resolve, approves nothing: each of Locust's requests then fails.
 */
export function approvedAddresses(
  targetUrl: string,
  policy: TargetPolicy | undefined,
  resolve: Resolver = systemResolver,
): Promise<ApprovedAddresses> {
  const url = new URL(targetUrl);
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const refused = policy ? originRefusal(url.origin, policy) : null;
  if (refused) return Promise.resolve({ addresses: [], refusal: refused.message });
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(host)) return Promise.resolve({ addresses: [addressKey(host, port)] });
  const look = policy ? guardedLookup(policy, resolve) : resolve;
  return new Promise((done) => {
    look(host, { all: true }, (err: NodeJS.ErrnoException | null, found: string | LookupAddress[]) => {
      if (err) return done({ addresses: [], refusal: err.message });
      const list = Array.isArray(found) ? found : [];
      done({ addresses: [...new Set(list.map((a) => addressKey(a.address, port)))] });
    });
  });
}
