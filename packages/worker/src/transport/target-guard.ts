import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import { addressRefusal, type TargetPolicy, targetUrlRefusal } from "@loadline/core";
import { TransportFailure } from "../scenario/index.ts";
import type { ResponseCollector } from "./response-collector.ts";

/** Resolves a host name to all its addresses: dns.lookup with `all: true` (tests pass their own). */
export type Resolver = (
  hostname: string,
  options: { family?: number; hints?: number; all: true },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

export const systemResolver: Resolver = (hostname, options, callback) => dnsLookup(hostname, options, callback);

/**
 * Why requests to `origin` may not be sent under `policy` (its scheme, user name, and host
 * name or IP literal against the allow-list and the address classes), or null. Checked once per
 * origin: a url whose host is a `{{variable}}` was not checked when the test was written.
 */
export function originRefusal(origin: string, policy: TargetPolicy): TransportFailure | null {
  const refusal = targetUrlRefusal(origin, policy);
  return refusal === null ? null : new TransportFailure("blocked", refusal);
}

/** An origin the target policy refuses: each of its requests fails `blocked` at once, and nothing is connected. */
export class RefusedOrigin {
  constructor(private readonly reason: TransportFailure) {}

  dispatch(c: ResponseCollector): void {
    c.cancel(new TransportFailure("blocked", this.reason.message));
  }

  allow(_max: number): void {}

  async openAhead(_count: number, _withinMs: number): Promise<void> {}

  async close(): Promise<void> {}
}

/**
 * The lookup a connection to a host name makes, in place of the system's: it resolves every
 * address of the name, drops those `addressRefusal` refuses, and hands the socket only the
 * others, so the socket connects to an address that was checked and to no other (a DNS answer
 * that changes between a check and the connect cannot slip through: there is no second
 * resolution). TLS keeps the name as its servername, and undici the name as the Host header.
 * None allowed: the connection fails with a `blocked` TransportFailure, which undici hands to
 * every request waiting for that connection. An IP literal is never looked up: the origin's
 * own check (`originRefusal`) covers it.
 */
export function guardedLookup(policy: TargetPolicy, resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    const opts: { family?: number; hints?: number; all: true } = { all: true };
    if (typeof options.family === "number" && options.family !== 0) opts.family = options.family;
    if (options.hints !== undefined) opts.hints = options.hints;
    resolve(hostname, opts, (err, addresses) => {
      const none = options.all ? [] : "";
      if (err) return callback(err, none);
      if (addresses.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" }), none);
      const allowed = addresses.filter((a) => addressRefusal(a.address, policy) === null);
      if (allowed.length === 0) {
        const why = addressRefusal(addresses[0]!.address, policy);
        const resolved = addresses.map((a) => a.address).join(", ");
        return callback(new TransportFailure("blocked", `${hostname} resolved to ${resolved}: ${why}`) as NodeJS.ErrnoException, none);
      }
      if (options.all) callback(null, allowed);
      else callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}
