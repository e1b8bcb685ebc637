import { lookup as dnsLookup } from "node:dns";
import type { LookupFunction } from "node:net";
import { addressRefusal, type TargetPolicy } from "@loadline/core";

/**
 * The lookup a webhook's connection makes, in place of the system's: every address of the name
 * is resolved, those the tenant's policy refuses are dropped, and the socket connects to one that
 * was checked (no second resolution: a DNS answer that changes in between, rebinding, cannot
 * slip through). The worker's connections to targets do the same (worker's target-guard.ts).
 */
export function guardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, ...(options.family ? { family: options.family } : {}) }, (err, addresses) => {
      const none = options.all ? [] : "";
      if (err) return callback(err, none);
      const allowed = addresses.filter((a) => addressRefusal(a.address, policy) === null);
      if (allowed.length === 0) {
        const why = addresses[0] ? addressRefusal(addresses[0].address, policy) : "no address";
        const refused = Object.assign(new Error(`${hostname} resolved to ${addresses.map((a) => a.address).join(", ")}: ${why}`), {
          code: "EBLOCKED",
        });
        return callback(refused, none);
      }
      if (options.all) callback(null, allowed);
      else callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}
