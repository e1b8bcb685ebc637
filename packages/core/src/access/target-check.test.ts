import { describe, expect, it } from "vitest";
import { addressRefusal, allowEntryError, specTargetRefusal, targetUrlRefusal } from "./target-check.ts";
import type { TargetPolicy } from "./target-policy.ts";

const policy = (allow: string[], over: Partial<TargetPolicy> = {}): TargetPolicy => ({
  allow,
  loopback: false,
  privateNetworks: false,
  ...over,
});
/** Any host, so that only the address class decides. */
const ANY = policy(["*"]);
const ANY_LOCAL = policy(["*"], { loopback: true, privateNetworks: true });

const allowed = (url: string, p: TargetPolicy) => targetUrlRefusal(url, p) === null;

describe("targetUrlRefusal: the issue's attacks", () => {
  it("refuses the cloud metadata endpoint even when listed and everything local is on", () => {
    const listed = policy(["169.254.169.254", "169.254.0.0/16", "*"], { loopback: true, privateNetworks: true });
    expect(targetUrlRefusal("http://169.254.169.254/latest/meta-data/", listed)).toMatch(/link-local or cloud metadata/);
    expect(targetUrlRefusal("http://169.254.170.2/v2/credentials", listed)).toMatch(/link-local/);
    expect(targetUrlRefusal("http://100.100.100.200/latest/meta-data", listed)).toMatch(/metadata/);
    expect(targetUrlRefusal("http://[fd00:ec2::254]/latest/meta-data", listed)).toMatch(/metadata/);
    expect(targetUrlRefusal("http://[fe80::1]/", listed)).toMatch(/link-local/);
    expect(targetUrlRefusal("http://[FE80::abcd:1]/", listed)).toMatch(/link-local/);
    expect(targetUrlRefusal("http://[febf::1]/", listed)).toMatch(/link-local/);
  });

  it("refuses localhost:22 unless loopback is on, even when localhost is listed", () => {
    expect(targetUrlRefusal("http://localhost:22/", policy(["localhost"]))).toBe(
      "localhost is a loopback address, which this tenant's load may not reach",
    );
    expect(targetUrlRefusal("http://localhost:22/", policy(["localhost"], { loopback: true }))).toBeNull();
    // Loopback on lets the name through only when it is listed.
    expect(targetUrlRefusal("http://localhost:22/", policy(["example.com"], { loopback: true }))).toMatch(
      /not in the tenant's target allow-list/,
    );
  });

  it("reads 0x7f000001, 2130706433, 0177.0.0.1, 127.1 and 127.0.0.1. as 127.0.0.1", () => {
    for (const url of [
      "http://0x7f000001/",
      "http://2130706433/",
      "http://0177.0.0.1/",
      "http://127.1/",
      "http://127.0.0.1./",
      "http://0x7f.1/",
    ]) {
      expect(new URL(url).hostname).toBe("127.0.0.1");
      expect(targetUrlRefusal(url, ANY)).toBe("127.0.0.1 is a loopback address, which this tenant's load may not reach");
      expect(targetUrlRefusal(url, policy(["127.0.0.1"]))).toMatch(/loopback/);
      expect(targetUrlRefusal(url, policy(["127.0.0.1"], { loopback: true }))).toBeNull();
      expect(targetUrlRefusal(url, policy(["127.0.0.0/8"], { loopback: true }))).toBeNull();
    }
    // The allow-list is read the same way: an entry 0x7f000001 is 127.0.0.1.
    expect(targetUrlRefusal("http://127.0.0.1/", policy(["0x7f000001"], { loopback: true }))).toBeNull();
  });

  it("refuses the IPv6 forms of loopback: [::1], [0:0:0:0:0:0:0:1], [::ffff:127.0.0.1], [::ffff:7f00:1], [::]", () => {
    for (const url of [
      "http://[::1]/",
      "http://[0:0:0:0:0:0:0:1]/",
      "http://[0000:0000:0000:0000:0000:0000:0000:0001]:8080/",
      "http://[::ffff:127.0.0.1]/",
      "http://[::ffff:7f00:1]/",
      "http://[::ffff:0:7f00:1]/",
      "http://[::127.0.0.1]/",
      "http://[::]/",
      "http://[64:ff9b::127.0.0.1]/",
    ]) {
      expect(targetUrlRefusal(url, ANY), url).toMatch(/is a loopback address/);
      expect(targetUrlRefusal(url, ANY_LOCAL), url).toBeNull();
    }
    expect(targetUrlRefusal("http://[::ffff:127.0.0.1]/", ANY)).toBe(
      "[::ffff:7f00:1] (127.0.0.1) is a loopback address, which this tenant's load may not reach",
    );
  });

  it("classes IPv6 forms carrying 169.254.169.254 as metadata, never allowed", () => {
    for (const url of [
      "http://[::ffff:169.254.169.254]/",
      "http://[::ffff:a9fe:a9fe]/",
      "http://[::169.254.169.254]/",
      "http://[64:ff9b::169.254.169.254]/",
      "http://[2002:a9fe:a9fe::1]/",
    ]) {
      expect(targetUrlRefusal(url, ANY_LOCAL), url).toMatch(/\(169\.254\.169\.254\) is a link-local or cloud metadata address/);
    }
  });

  it("refuses user:pass@ and user@ URLs, whatever the host", () => {
    const message = "a target URL must not carry a user name or password (user:pass@)";
    expect(targetUrlRefusal("http://user:pass@example.com/", ANY)).toBe(message);
    expect(targetUrlRefusal("https://user@example.com/", ANY)).toBe(message);
    expect(targetUrlRefusal("https://:secret@example.com/", ANY)).toBe(message);
    expect(targetUrlRefusal("http://example.com@169.254.169.254/", ANY_LOCAL)).toBe(message);
  });

  it("refuses anything but http and https, and what is no URL", () => {
    expect(targetUrlRefusal("ftp://example.com/", ANY)).toBe("only http and https targets are allowed, not ftp:");
    expect(targetUrlRefusal("file:///etc/passwd", ANY)).toMatch(/not file:/);
    expect(targetUrlRefusal("gopher://localhost:25/", ANY_LOCAL)).toMatch(/not gopher:/);
    expect(targetUrlRefusal("not a url", ANY)).toBe("the target is not a valid URL");
    expect(targetUrlRefusal("HTTPS://EXAMPLE.COM/", policy(["example.com"]))).toBeNull();
  });
});

describe("targetUrlRefusal: address classes", () => {
  it("lets private ranges through only when privateNetworks is on", () => {
    for (const host of [
      "10.0.0.1",
      "10.255.255.255",
      "172.16.0.1",
      "172.31.255.254",
      "192.168.1.1",
      "100.64.0.1",
      "100.127.255.255",
      "198.18.0.1",
      "[fd12:3456::1]",
      "[fc00::1]",
      "[::ffff:10.1.2.3]",
    ]) {
      const url = `http://${host}/`;
      expect(targetUrlRefusal(url, ANY), url).toMatch(/is in a private network range/);
      expect(targetUrlRefusal(url, policy(["*"], { privateNetworks: true })), url).toBeNull();
      expect(targetUrlRefusal(url, policy(["*"], { loopback: true })), url).toMatch(/private/);
    }
    // Just outside the ranges: public.
    for (const host of ["172.15.255.255", "172.32.0.0", "192.169.0.1", "100.63.255.255", "100.128.0.0", "11.0.0.1", "9.255.255.255"])
      expect(targetUrlRefusal(`http://${host}/`, ANY), host).toBeNull();
  });

  it("lets loopback through only when loopback is on: 127/8, 0/8, localhost and *.localhost", () => {
    for (const url of [
      "http://127.0.0.1/",
      "http://127.255.255.254/",
      "http://0.0.0.0/",
      "http://0/",
      "http://localhost/",
      "http://LOCALHOST/",
      "http://localhost./",
      "http://localhost%2e/",
      "http://app.localhost:3000/",
      "http://A.B.LocalHost./",
    ]) {
      expect(targetUrlRefusal(url, ANY), url).toMatch(/is a loopback address/);
      expect(targetUrlRefusal(url, policy(["*"], { loopback: true })), url).toBeNull();
    }
    // Not localhost: names that only look like it.
    expect(targetUrlRefusal("http://localhost.example.com/", ANY)).toBeNull();
    expect(targetUrlRefusal("http://notlocalhost/", ANY)).toBeNull();
  });

  it("never lets multicast, broadcast or reserved space through", () => {
    for (const host of [
      "224.0.0.1",
      "239.255.255.250",
      "255.255.255.255",
      "240.0.0.1",
      "192.0.2.10",
      "198.51.100.1",
      "203.0.113.5",
      "192.0.0.8",
      "[ff02::1]",
      "[2001:db8::1]",
      "[fec0::1]",
      "[100::1]",
      "[2001::1]",
      "[1::]",
      "[4000::1]",
    ]) {
      expect(targetUrlRefusal(`http://${host}/`, ANY_LOCAL), host).toMatch(/multicast, broadcast or reserved/);
    }
  });

  it("lets public addresses through, IPv4 and IPv6, including through NAT64 and IPv4-mapped forms", () => {
    for (const host of [
      "8.8.8.8",
      "1.1.1.1",
      "93.184.216.34",
      "[2606:4700:4700::1111]",
      "[2a00:1450:4001::200e]",
      "[::ffff:8.8.8.8]",
      "[64:ff9b::808:808]",
    ])
      expect(targetUrlRefusal(`http://${host}/`, ANY), host).toBeNull();
  });
});

describe("targetUrlRefusal: the allow-list", () => {
  it("matches exact host names in any case, ignoring a trailing dot on either side", () => {
    const p = policy(["API.Example.com", "shop.example.org."]);
    expect(allowed("https://api.example.com/x", p)).toBe(true);
    expect(allowed("https://API.EXAMPLE.COM/x", p)).toBe(true);
    expect(allowed("https://api.example.com./x", p)).toBe(true);
    expect(allowed("https://shop.example.org:8443/", p)).toBe(true);
    expect(allowed("https://example.com/", p)).toBe(false);
    expect(allowed("https://www.api.example.com/", p)).toBe(false);
    expect(allowed("https://api.example.com.evil.net/", p)).toBe(false);
    expect(targetUrlRefusal("https://evil.net/", p)).toBe("evil.net is not in the tenant's target allow-list");
  });

  it("matches *.example.com against subdomains at any depth, never the apex or look-alikes", () => {
    const p = policy(["*.example.com"]);
    expect(allowed("http://a.example.com/", p)).toBe(true);
    expect(allowed("http://a.b.example.com/", p)).toBe(true);
    expect(allowed("http://A.EXAMPLE.COM./", p)).toBe(true);
    expect(allowed("http://example.com/", p)).toBe(false);
    expect(allowed("http://evil-example.com/", p)).toBe(false);
    expect(allowed("http://evilexample.com/", p)).toBe(false);
    expect(allowed("http://example.com.evil.net/", p)).toBe(false);
    expect(allowed("http://a.example.co/", p)).toBe(false);
  });

  it("matches IP literals only against IP and CIDR entries (or *), never names", () => {
    const p = policy(["203.0.114.7", "198.51.0.0/16", "2001:470::/32", "example.com"]);
    expect(allowed("http://203.0.114.7/", p)).toBe(true);
    expect(allowed("http://203.0.114.8/", p)).toBe(false);
    expect(allowed("http://198.51.7.7/", p)).toBe(true);
    expect(allowed("http://198.52.0.1/", p)).toBe(false);
    expect(allowed("http://[2001:470:1::1]/", p)).toBe(true);
    expect(allowed("http://[2001:471::1]/", p)).toBe(false);
    expect(allowed("http://[::ffff:203.0.114.7]/", p)).toBe(true);
    expect(allowed("http://93.184.216.34/", p)).toBe(false);
    // A CIDR of private space is still subject to the private switch.
    expect(targetUrlRefusal("http://10.1.2.3/", policy(["10.0.0.0/8"]))).toMatch(/private network/);
    expect(targetUrlRefusal("http://10.1.2.3/", policy(["10.0.0.0/8"], { privateNetworks: true }))).toBeNull();
    expect(targetUrlRefusal("http://10.1.2.3/", policy(["10.2.0.0/16"], { privateNetworks: true }))).toMatch(/not in the tenant's/);
  });

  it("allows nothing with an empty list, and any host of an allowed class with *", () => {
    expect(targetUrlRefusal("https://example.com/", policy([]))).toMatch(/not in the tenant's target allow-list/);
    expect(targetUrlRefusal("https://8.8.8.8/", policy([]))).toMatch(/not in the tenant's target allow-list/);
    expect(allowed("https://anything.example/", ANY)).toBe(true);
  });

  it("ignores entries that mean nothing rather than matching more than they say", () => {
    const p = policy(["*.*.com", "http://example.com", "exa*mple.com", "*example.com", "a b", "10.0.0.0/33", "user@example.com"]);
    for (const url of ["http://example.com/", "http://a.b.com/", "http://aexample.com/", "http://10.1.1.1/"])
      expect(allowed(url, p), url).toBe(false);
  });
});

describe("allowEntryError", () => {
  it("takes host names, wildcards, IPs, CIDRs and *", () => {
    for (const e of [
      "*",
      "example.com",
      "EXAMPLE.com.",
      "*.example.com",
      "xn--bcher-kva.example",
      "bücher.example",
      "10.0.0.0/8",
      "1.2.3.4",
      "::1",
      "fd00::/8",
      "[::1]",
      "localhost",
    ])
      expect(allowEntryError(e), e).toBeNull();
  });

  it("refuses anything else, naming the entry", () => {
    for (const e of [
      "*.*.com",
      "*example.com",
      "ex*ample.com",
      "http://example.com",
      "example.com/path",
      "example.com:443",
      "user@example.com",
      "a b",
      "1.2.3.4/33",
      "::1/129",
      "fd00::/x",
      "",
      ".example.com",
      "a..b",
    ])
      expect(allowEntryError(e), e).toBe(`"${e}" is not a host name, *.wildcard, IP address, CIDR block or *`);
  });
});

describe("addressRefusal", () => {
  it("applies the address classes to resolved addresses, IPv4-mapped ones by their IPv4", () => {
    expect(addressRefusal("127.0.0.1", ANY)).toBe("127.0.0.1 is a loopback address, which this tenant's load may not reach");
    expect(addressRefusal("127.0.0.1", policy(["*"], { loopback: true }))).toBeNull();
    expect(addressRefusal("::1", ANY)).toMatch(/loopback/);
    expect(addressRefusal("::ffff:127.0.0.1", ANY)).toBe(
      "::ffff:127.0.0.1 (127.0.0.1) is a loopback address, which this tenant's load may not reach",
    );
    expect(addressRefusal("::ffff:7f00:1", ANY)).toMatch(/loopback/);
    expect(addressRefusal("169.254.169.254", ANY_LOCAL)).toMatch(/link-local or cloud metadata/);
    expect(addressRefusal("::ffff:169.254.169.254", ANY_LOCAL)).toMatch(/metadata/);
    expect(addressRefusal("fe80::1%eth0", ANY_LOCAL)).toMatch(/link-local/);
    expect(addressRefusal("fd00:ec2::254", ANY_LOCAL)).toMatch(/metadata/);
    expect(addressRefusal("192.168.0.10", ANY)).toMatch(/private/);
    expect(addressRefusal("192.168.0.10", ANY_LOCAL)).toBeNull();
    expect(addressRefusal("224.0.0.251", ANY_LOCAL)).toMatch(/reserved/);
    expect(addressRefusal("93.184.216.34", ANY)).toBeNull();
    expect(addressRefusal("2606:4700::6810:85e5", ANY)).toBeNull();
  });

  it("refuses what is no IP address", () => {
    expect(addressRefusal("example.com", ANY)).toBe("example.com is not an IP address");
    expect(addressRefusal("", ANY)).toBe(" is not an IP address");
    expect(addressRefusal("1.2.3.4@5.6.7.8", ANY)).toMatch(/not an IP address/);
  });

  it("with a name in the allow-list, takes any address of an allowed class (the name was what matched)", () => {
    expect(addressRefusal("93.184.216.34", policy(["api.example.com"]))).toBeNull();
    expect(addressRefusal("93.184.216.34", policy(["*.example.com", "10.0.0.0/8"]))).toBeNull();
    expect(addressRefusal("10.9.9.9", policy(["api.example.com"]))).toMatch(/private/);
  });

  it("with only IPs and CIDRs in the allow-list, takes only an address in one of them", () => {
    const p = policy(["203.0.114.0/24", "2001:470::/32"]);
    expect(addressRefusal("203.0.114.9", p)).toBeNull();
    expect(addressRefusal("::ffff:203.0.114.9", p)).toBeNull();
    expect(addressRefusal("2001:470:0:1::5", p)).toBeNull();
    expect(addressRefusal("93.184.216.34", p)).toBe("93.184.216.34 is not in the tenant's target allow-list");
    expect(addressRefusal("8.8.8.8", policy([]))).toMatch(/not in the tenant's target allow-list/);
    // Listing an address does not lift its class.
    expect(addressRefusal("127.0.0.1", policy(["127.0.0.1"]))).toMatch(/loopback/);
    expect(addressRefusal("127.0.0.1", policy(["127.0.0.1"], { loopback: true }))).toBeNull();
    expect(addressRefusal("127.0.0.2", policy(["127.0.0.1"], { loopback: true }))).toMatch(/not in the tenant's/);
  });
});

describe("specTargetRefusal", () => {
  const p = policy(["api.example.com", "*.cdn.example.com"]);
  const request = (url: string) => ({ type: "request", url });
  const think = { type: "think" };

  it("names targetUrl when it is refused", () => {
    expect(specTargetRefusal({ targetUrl: "http://169.254.169.254/" }, ANY_LOCAL)).toEqual({
      field: "targetUrl",
      message: "169.254.169.254 is a link-local or cloud metadata address, which load may never reach",
    });
    expect(specTargetRefusal({ targetUrl: "https://api.example.com/v1" }, p)).toBeNull();
  });

  it("checks the absolute urls of request steps, naming the first refused", () => {
    const spec = {
      targetUrl: "https://api.example.com",
      scenarios: [
        { steps: [request("/login"), think, request("https://img.cdn.example.com/a.png")] },
        {
          steps: [request("https://api.example.com/{{id}}?q={{q}}"), think, request("http://localhost:22/"), request("https://evil.net/")],
        },
      ],
    };
    expect(specTargetRefusal(spec, p)).toEqual({
      field: "scenarios.1.steps.2.url",
      message: "localhost is a loopback address, which this tenant's load may not reach",
    });
    expect(specTargetRefusal(spec, { ...p, loopback: true })).toEqual({
      field: "scenarios.1.steps.2.url",
      message: "localhost is not in the tenant's target allow-list",
    });
  });

  it("defers fields with env placeholders only when asked (a test's write): a run's start checks them filled", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an env placeholder, not a template literal
    const spec = { targetUrl: "${BASE_URL}", scenarios: [{ steps: [request("{{env.API}}/x"), request("https://evil.net/")] }] };
    expect(specTargetRefusal(spec, p)?.field).toBe("targetUrl");
    expect(specTargetRefusal(spec, p, true)).toEqual({ field: "scenarios.0.steps.1.url", message: expect.any(String) });
    expect(specTargetRefusal({ ...spec, scenarios: [{ steps: [request("{{env.API}}/x")] }] }, p, true)).toBeNull();
  });

  it("leaves urls whose host is a variable to the worker, but refuses a user name written before it", () => {
    const spec = (url: string) => ({ targetUrl: "https://api.example.com", scenarios: [{ steps: [request(url)] }] });
    expect(specTargetRefusal(spec("{{base}}/items"), p)).toBeNull();
    expect(specTargetRefusal(spec("https://{{host}}/items"), p)).toBeNull();
    expect(specTargetRefusal(spec("https://{{sub}}.evil.net:{{port}}/"), p)).toBeNull();
    expect(specTargetRefusal(spec("https://admin:{{password}}@{{host}}/"), p)).toEqual({
      field: "scenarios.0.steps.0.url",
      message: "a target URL must not carry a user name or password (user:pass@)",
    });
    expect(specTargetRefusal(spec("https://user:pass@api.example.com/"), p)?.message).toMatch(/user name or password/);
    expect(specTargetRefusal(spec("HTTP://0x7f000001/"), ANY)?.message).toMatch(/127\.0\.0\.1 is a loopback address/);
  });
});
