import { describe, expect, it } from "vitest";
import { allowedHostsFor, hostAllowed, LOOPBACK_HOSTS } from "./allowed-hosts.ts";

describe("allowedHostsFor: which Host names a server answers to", () => {
  it("on a loopback address, only loopback names unless configured", () => {
    for (const listen of ["127.0.0.1", "127.0.0.53", "localhost", "::1"])
      expect(allowedHostsFor(listen, undefined), listen).toBe(LOOPBACK_HOSTS);
  });
  it("elsewhere, any unless configured", () => {
    expect(allowedHostsFor("0.0.0.0", undefined)).toBeNull();
    expect(allowedHostsFor("::", [])).toBeNull();
  });
  it("configured: those, lower-cased, or any with *", () => {
    expect(allowedHostsFor("0.0.0.0", ["API.example.com", " loadline:8443 "])).toEqual(["api.example.com", "loadline:8443"]);
    expect(allowedHostsFor("127.0.0.1", ["*"])).toBeNull();
  });
});

describe("hostAllowed", () => {
  it("matches a name on any port, a name with a port on that port only", () => {
    const allowed = ["localhost", "127.0.0.1", "[::1]", "api.example.com:8443"];
    for (const host of ["localhost", "LOCALHOST:8080", "127.0.0.1:1", "[::1]:8080", "[::1]", "api.example.com:8443"])
      expect(hostAllowed(host, allowed), host).toBe(true);
    for (const host of [
      "evil.example",
      "localhost.evil.example",
      "127.0.0.2",
      "api.example.com",
      "api.example.com:80",
      "[::2]:80",
      "",
      "a:b:c",
    ])
      expect(hostAllowed(host, allowed), host).toBe(false);
  });
});
