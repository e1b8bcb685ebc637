import type { LookupAddress } from "node:dns";
import type { TargetPolicy } from "@loadline/core";
import { describe, expect, it } from "vitest";
import type { Resolver } from "../../transport/target-guard.ts";
import { approvedAddresses } from "./approved-addresses.ts";

/** Resolves every name to these addresses. */
const resolvesTo =
  (...addresses: LookupAddress[]): Resolver =>
  (_host, _options, callback) =>
    callback(null, addresses);

const policy: TargetPolicy = { allow: ["shop.example.com"], loopback: false, privateNetworks: false };

describe("approvedAddresses", () => {
  it("approves the target host's addresses that the tenant's policy admits, at the target's port", async () => {
    const resolve = resolvesTo(
      { address: "93.184.216.34", family: 4 },
      { address: "169.254.169.254", family: 4 }, // metadata: never
      { address: "2606:2800:220:1:248:1893:25c8:1946", family: 6 },
    );
    expect(await approvedAddresses("https://shop.example.com/api", policy, resolve)).toEqual({
      addresses: ["93.184.216.34:443", "[2606:2800:220:1:248:1893:25c8:1946]:443"],
    });
  });

  it("approves nothing, saying why, for a host the policy refuses or that resolves only to refused addresses", async () => {
    const refused = await approvedAddresses("http://other.example.com:8080", policy, resolvesTo({ address: "93.184.216.34", family: 4 }));
    expect(refused.addresses).toEqual([]);
    expect(refused.refusal).toMatch(/other\.example\.com/);
    const internal = await approvedAddresses("http://shop.example.com", policy, resolvesTo({ address: "10.0.0.5", family: 4 }));
    expect(internal).toMatchObject({ addresses: [], refusal: expect.stringMatching(/10\.0\.0\.5/) });
  });

  it("takes an IP literal as it is, and any address without a policy (local runs)", async () => {
    const loopback: TargetPolicy = { allow: ["127.0.0.1"], loopback: true, privateNetworks: false };
    expect(await approvedAddresses("http://127.0.0.1:8080", loopback)).toEqual({ addresses: ["127.0.0.1:8080"] });
    expect(await approvedAddresses("http://[::1]:81", undefined)).toEqual({ addresses: ["[::1]:81"] });
    expect(await approvedAddresses("http://x.test", undefined, resolvesTo({ address: "10.1.1.1", family: 4 }))).toEqual({
      addresses: ["10.1.1.1:80"],
    });
  });
});
