import { hasEnvPlaceholder } from "../scenario/env.ts";
import { grpcOrigin, parseGrpcTarget } from "../scenario/grpc.ts";
import type { TargetPolicy } from "./target-policy.ts";

/**
 * Whether a URL, or an address a worker is about to connect to, is a target a tenant's load may
 * reach (issue 17). Pure: host names and IP literals are read the way the WHATWG URL parser
 * reads them (the parser undici and the worker use), so `0x7f000001`, `2130706433`, `0177.0.0.1`
 * and `127.1` are all 127.0.0.1 here too, and `[0:0:0:0:0:0:0:1]` is `[::1]`.
 *
 * The rules:
 * - only http and https; no user name or password in the URL (`user:pass@`, `user@`);
 * - the address class comes first and no allow-list entry overrides it: link-local and cloud
 *   metadata addresses are never allowed (169.254.0.0/16, fe80::/10, 100.100.100.200,
 *   168.63.129.16, fd00:ec2::254), nor multicast, broadcast, documentation or otherwise reserved
 *   space, nor IPv6 outside 2000::/3 other than the ranges named here; loopback (127.0.0.0/8,
 *   0.0.0.0/8, ::1, ::, and the names `localhost` and `*.localhost`) only when `policy.loopback`;
 *   private networks (10/8, 172.16/12, 192.168/16, 100.64/10, 198.18/15, fc00::/7) only when
 *   `policy.privateNetworks`. An IPv6 address that carries an IPv4 one (::ffff:a.b.c.d,
 *   ::a.b.c.d, 64:ff9b::/96, 2002::/16) is classed by that IPv4 address;
 * - then the host must match an entry of `policy.allow`: a host name (any case, a trailing dot
 *   ignored), `*.example.com` (any subdomain at any depth, not example.com itself), an IP
 *   address, a CIDR block, or `*` (any host). Names match names only; IP entries match IP
 *   literals and (at connect time) resolved addresses;
 * - at connect time the worker resolves the name itself and connects only to an address that
 *   passes `addressRefusal`: its class as above and, when the allow-list has no name entry at
 *   all (only IPs and CIDRs), membership of one of them. With a name entry (or `*`) the name
 *   was what the tenant allowed, and any address of an allowed class may serve it.
 */

/** An IPv4 (4 bytes) or IPv6 (16 bytes) address. */
type Ip = { readonly v6: boolean; readonly bytes: readonly number[] };
type Net = { readonly ip: Ip; readonly bits: number };
type AddressClass = "public" | "loopback" | "private" | "link-local" | "reserved";

type AllowEntry =
  | { readonly kind: "any" }
  | { readonly kind: "name"; readonly name: string }
  | { readonly kind: "wildcard"; readonly suffix: string }
  | { readonly kind: "net"; readonly net: Net };

const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
/** What an IPv4 literal may be written with (hex, octal, decimal parts), before the URL parser reads it. */
const IPV4_CHARS = /^[0-9a-fx.]+$/i;
const IPV6_CHARS = /^[0-9a-f:.]+$/i;

/** The host of `http://<text>/` as the URL parser reads it, or null when that is no URL. */
function hostOf(text: string): string | null {
  try {
    return new URL(`http://${text}/`).hostname;
  } catch {
    return null;
  }
}

function dottedBytes(host: string): number[] | null {
  const m = DOTTED.exec(host);
  if (!m) return null;
  const bytes = m.slice(1, 5).map(Number);
  return bytes.every((b) => b <= 255) ? bytes : null;
}

/** The bytes of an IPv6 address as the URL parser serialises it (hex groups, at most one `::`). */
function ipv6Bytes(canonical: string): number[] | null {
  const halves = canonical.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return null;
  const groups = [...head, ...new Array<string>(missing).fill("0"), ...tail];
  const bytes: number[] = [];
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
    const n = Number.parseInt(g, 16);
    bytes.push(n >> 8, n & 0xff);
  }
  return bytes;
}

/** An IP address in any form the URL parser takes in a host (brackets and an IPv6 zone allowed), or null. */
function parseIp(text: string): Ip | null {
  let s = text.trim();
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  if (s.includes(":")) {
    const zone = s.indexOf("%");
    if (zone >= 0) s = s.slice(0, zone);
    if (!IPV6_CHARS.test(s)) return null;
    const host = hostOf(`[${s}]`);
    const bytes = host ? ipv6Bytes(host.slice(1, -1)) : null;
    return bytes ? { v6: true, bytes } : null;
  }
  if (!IPV4_CHARS.test(s)) return null;
  const host = hostOf(s);
  const bytes = host ? dottedBytes(host) : null;
  return bytes ? { v6: false, bytes } : null;
}

function parseNet(cidr: string): Net | null {
  const slash = cidr.indexOf("/");
  const ip = parseIp(slash < 0 ? cidr : cidr.slice(0, slash));
  if (!ip) return null;
  const max = ip.bytes.length * 8;
  if (slash < 0) return { ip, bits: max };
  const bitsText = cidr.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return null;
  const bits = Number(bitsText);
  return bits <= max ? { ip, bits } : null;
}

function inNet(ip: Ip, net: Net): boolean {
  if (ip.v6 !== net.ip.v6) return false;
  let bits = net.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((ip.bytes[i]! & mask) !== (net.ip.bytes[i]! & mask)) return false;
  }
  return true;
}

/** A block written in this file. */
const cidr = (text: string): Net => parseNet(text)!;
const table = (rows: [string, AddressClass][]): [Net, AddressClass][] => rows.map(([text, c]) => [cidr(text), c]);

/** IPv4 ranges, the first that holds an address giving its class; any other is public. */
const IPV4_CLASSES = table([
  ["169.254.0.0/16", "link-local"], // link-local, and the metadata of AWS, GCP, Azure, OCI, DigitalOcean...
  ["100.100.100.200/32", "link-local"], // Alibaba Cloud metadata (inside 100.64/10)
  ["168.63.129.16/32", "link-local"], // Azure's wire server (platform endpoint, public space)
  ["127.0.0.0/8", "loopback"],
  ["0.0.0.0/8", "loopback"], // "this network": 0.0.0.0 reaches the host itself
  ["10.0.0.0/8", "private"],
  ["172.16.0.0/12", "private"],
  ["192.168.0.0/16", "private"],
  ["100.64.0.0/10", "private"], // carrier-grade NAT
  ["198.18.0.0/15", "private"], // benchmarking labs
  ["192.0.0.0/24", "reserved"], // IETF protocol assignments
  ["192.0.2.0/24", "reserved"], // documentation
  ["198.51.100.0/24", "reserved"],
  ["203.0.113.0/24", "reserved"],
  ["192.88.99.0/24", "reserved"], // 6to4 relay anycast (deprecated)
  ["224.0.0.0/4", "reserved"], // multicast
  ["240.0.0.0/4", "reserved"], // reserved, and the broadcast 255.255.255.255
]);

/** IPv6 ranges, after the forms that carry an IPv4 address; outside 2000::/3 anything else is reserved. */
const IPV6_CLASSES = table([
  ["::1/128", "loopback"],
  ["::/128", "loopback"], // unspecified: connecting to it reaches the host itself
  ["fe80::/10", "link-local"],
  ["fd00:ec2::254/128", "link-local"], // AWS metadata over IPv6 (inside fc00::/7)
  ["fc00::/7", "private"], // unique local
  ["64:ff9b:1::/48", "private"], // local-use NAT64
  ["2001:2::/48", "private"], // benchmarking labs
  ["fec0::/10", "reserved"], // site-local (deprecated)
  ["ff00::/8", "reserved"], // multicast
  ["100::/64", "reserved"], // discard-only
  ["2001::/32", "reserved"], // Teredo: the IPv4 address inside is obscured
  ["2001:db8::/32", "reserved"], // documentation
  ["3fff::/20", "reserved"], // documentation
  ["2000::/3", "public"],
]);

/** The IPv6 forms that carry an IPv4 address, and so reach it. */
const MAPPED = cidr("::ffff:0:0/96");
const TRANSLATED = cidr("::ffff:0:0:0/96"); // SIIT
const NAT64 = cidr("64:ff9b::/96"); // the well-known prefix
const COMPATIBLE = cidr("::/96"); // deprecated; :: and ::1 are no IPv4 address
const SIX_TO_FOUR = cidr("2002::/16");

/** The IPv4 address carried by `ip`, or null. */
function carriedIpv4(ip: Ip): Ip | null {
  if (!ip.v6) return null;
  if (inNet(ip, MAPPED) || inNet(ip, TRANSLATED) || inNet(ip, NAT64)) return { v6: false, bytes: ip.bytes.slice(12) };
  if (inNet(ip, COMPATIBLE)) {
    const loopbackOrUnspecified = ip.bytes.slice(0, 15).every((b) => b === 0) && ip.bytes[15]! <= 1;
    return loopbackOrUnspecified ? null : { v6: false, bytes: ip.bytes.slice(12) };
  }
  if (inNet(ip, SIX_TO_FOUR)) return { v6: false, bytes: ip.bytes.slice(2, 6) };
  return null;
}

function classOf(ip: Ip): AddressClass {
  const v4 = ip.v6 ? carriedIpv4(ip) : ip;
  if (v4) return IPV4_CLASSES.find(([net]) => inNet(v4, net))?.[1] ?? "public";
  return IPV6_CLASSES.find(([net]) => inNet(ip, net))?.[1] ?? "reserved";
}

/** Why `ip` (written `written`) may not be reached for its class, naming the IPv4 address an IPv6 one carries. */
function ipClassRefusal(written: string, ip: Ip, policy: TargetPolicy): string | null {
  const carried = carriedIpv4(ip);
  return classRefusal(carried ? `${written} (${carried.bytes.join(".")})` : written, classOf(ip), policy);
}

/** Why an address (or `localhost`) of this class may not be reached under `policy`, or null. */
function classRefusal(what: string, c: AddressClass, policy: TargetPolicy): string | null {
  switch (c) {
    case "public":
      return null;
    case "link-local":
      return `${what} is a link-local or cloud metadata address, which load may never reach`;
    case "reserved":
      return `${what} is a multicast, broadcast or reserved address, which load may never reach`;
    case "loopback":
      return policy.loopback ? null : `${what} is a loopback address, which this tenant's load may not reach`;
    case "private":
      return policy.privateNetworks ? null : `${what} is in a private network range, which this tenant's load may not reach`;
  }
}

/** A host name without the one trailing dot of its fully qualified form. */
const bareName = (host: string): string => (host.endsWith(".") ? host.slice(0, -1) : host);

/** `localhost` and its subdomains always mean the machine itself (RFC 6761), whatever DNS says. */
const isLocalhostName = (name: string): boolean => name === "localhost" || name.endsWith(".localhost");

/** A host name as the URL parser normalises it (lower case, punycode), or null when `text` is no bare host name. */
function normalName(text: string): string | null {
  if (text === "" || /[/\\@:?#\s*[\]%]/.test(text)) return null;
  const host = hostOf(text);
  if (host === null || host === "" || parseIp(host) !== null) return null;
  const name = bareName(host);
  return name === "" || name.startsWith(".") || name.includes("..") ? null : name;
}

function parseEntry(raw: string): AllowEntry | null {
  const text = raw.trim().toLowerCase();
  if (text === "*") return { kind: "any" };
  if (text.startsWith("*.")) {
    const name = normalName(text.slice(2));
    return name === null ? null : { kind: "wildcard", suffix: `.${name}` };
  }
  const net = parseNet(text);
  if (net) return { kind: "net", net };
  const name = normalName(text);
  return name === null ? null : { kind: "name", name };
}

/**
 * Why an allow-list entry means nothing, or null when it is a host name, `*.` wildcard, IP
 * address, CIDR block or `*`: for the command that sets the list. An entry that is none of
 * these matches no host.
 */
export function allowEntryError(entry: string): string | null {
  return parseEntry(entry) === null ? `"${entry}" is not a host name, *.wildcard, IP address, CIDR block or *` : null;
}

const entriesCache = new WeakMap<readonly string[], AllowEntry[]>();

function entriesOf(policy: TargetPolicy): AllowEntry[] {
  let entries = entriesCache.get(policy.allow);
  if (!entries) {
    entries = policy.allow.map(parseEntry).filter((e): e is AllowEntry => e !== null);
    entriesCache.set(policy.allow, entries);
  }
  return entries;
}

function nameAllowed(name: string, entries: readonly AllowEntry[]): boolean {
  return entries.some(
    (e) => e.kind === "any" || (e.kind === "name" && e.name === name) || (e.kind === "wildcard" && name.endsWith(e.suffix)),
  );
}

/** `ip`, and the IPv4 address it maps (::ffff:a.b.c.d is that host), against the IP entries. */
function ipListed(ip: Ip, entries: readonly AllowEntry[], orAny: boolean): boolean {
  const mapped = ip.v6 && inNet(ip, MAPPED) ? { v6: false, bytes: ip.bytes.slice(12) } : null;
  return entries.some(
    (e) => (orAny && e.kind === "any") || (e.kind === "net" && (inNet(ip, e.net) || (mapped !== null && inNet(mapped, e.net)))),
  );
}

/** Why `url` may not be a target of load under `policy`, as a sentence; null when it may. */
export function targetUrlRefusal(url: string, policy: TargetPolicy): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "the target is not a valid URL";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return `only http and https targets are allowed, not ${parsed.protocol}`;
  if (parsed.username !== "" || parsed.password !== "") return "a target URL must not carry a user name or password (user:pass@)";
  const host = parsed.hostname;
  const entries = entriesOf(policy);
  const ip = parseIp(host);
  if (ip) {
    const refused = ipClassRefusal(host, ip, policy);
    if (refused) return refused;
    return ipListed(ip, entries, true) ? null : `${host} is not in the tenant's target allow-list`;
  }
  const name = bareName(host);
  if (isLocalhostName(name)) {
    const refused = classRefusal(name, "loopback", policy);
    if (refused) return refused;
  }
  return nameAllowed(name, entries) ? null : `${name} is not in the tenant's target allow-list`;
}

/**
 * Why the worker may not connect to `ip`, an address it resolved a target's host name to (or
 * the host's own IP literal), as a sentence; null when it may. The name already matched the
 * allow-list: the address must be of a class the policy allows and, when the allow-list has no
 * name entry at all (only IP addresses and CIDR blocks), in one of them.
 */
export function addressRefusal(ip: string, policy: TargetPolicy): string | null {
  const parsed = parseIp(ip);
  if (!parsed) return `${ip} is not an IP address`;
  const refused = ipClassRefusal(ip, parsed, policy);
  if (refused) return refused;
  const entries = entriesOf(policy);
  if (entries.some((e) => e.kind !== "net")) return null;
  return ipListed(parsed, entries, false) ? null : `${ip} is not in the tenant's target allow-list`;
}

/** A field of a load test that names a target, and why it may not be one. */
export type TargetRefusal = { field: string; message: string };

/** What of a load test spec names targets: its targetUrl, the urls of its scenarios' steps, and the targets of their grpc steps. */
type TargetedSteps = { readonly steps: readonly { readonly type: string; readonly url?: string; readonly target?: string | undefined }[] };
export type TargetedSpec = {
  readonly targetUrl: string;
  readonly scenarios?: readonly TargetedSteps[] | undefined;
  /** The run's setup and teardown (setup.ts): their requests go where the tenant allows too. */
  readonly setup?: TargetedSteps | undefined;
  readonly teardown?: TargetedSteps | undefined;
};

/** Each list of steps of a spec with the field it sits at: `scenarios.0`, `setup`, `teardown`. */
function* targetedStepLists(spec: TargetedSpec): Generator<{ field: string; steps: TargetedSteps["steps"] }> {
  for (const [i, scenario] of (spec.scenarios ?? []).entries()) yield { field: `scenarios.${i}`, steps: scenario.steps };
  if (spec.setup) yield { field: "setup", steps: spec.setup.steps };
  if (spec.teardown) yield { field: "teardown", steps: spec.teardown.steps };
}

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i;

/**
 * The first target of a load test that `policy` refuses, naming its field (`targetUrl`,
 * `scenarios.0.steps.2.url`), or null. Paths (`/items`) go to targetUrl. A step url whose host
 * is a `{{variable}}` is only known when rendered: the worker checks it then (a literal `@`
 * before its path is refused now, as a user name). `deferEnv` (a test's write): a field with env
 * placeholders is left to its runs' start, which checks the run's target once they are filled.
 */
export function specTargetRefusal(spec: TargetedSpec, policy: TargetPolicy, deferEnv = false): TargetRefusal | null {
  const deferred = (url: string) => deferEnv && hasEnvPlaceholder(url);
  const target = deferred(spec.targetUrl) ? null : targetUrlRefusal(spec.targetUrl, policy);
  if (target) return { field: "targetUrl", message: target };
  for (const { field, steps } of targetedStepLists(spec)) {
    for (const [j, step] of steps.entries()) {
      if (step.type === "grpc" && step.target !== undefined && !deferred(step.target)) {
        // A grpc target is host:port: judged as the http(s) origin of that host, as a request's would be.
        const address = parseGrpcTarget(step.target);
        const message = "error" in address ? address.error : targetUrlRefusal(grpcOrigin(address), policy);
        if (message) return { field: `${field}.steps.${j}.target`, message };
      }
      if (step.type === "think" || step.url === undefined) continue;
      const message = deferred(step.url) ? null : stepTargetRefusal(step.url, policy);
      if (message) return { field: `${field}.steps.${j}.url`, message };
    }
  }
  return null;
}

function stepTargetRefusal(url: string, policy: TargetPolicy): string | null {
  const trimmed = url.trim();
  if (trimmed.startsWith("/") || trimmed.startsWith("{{")) return null;
  const authority = ABSOLUTE.exec(trimmed)?.[1];
  if (authority?.includes("{{")) {
    return authority.includes("@") ? "a target URL must not carry a user name or password (user:pass@)" : null;
  }
  // Variables in the path or query do not change the host.
  return targetUrlRefusal(trimmed.replace(/\{\{[^}]*\}\}/g, "x"), policy);
}
