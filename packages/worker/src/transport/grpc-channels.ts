import { isIP } from "node:net";
import type { ChannelOptions, Client } from "@grpc/grpc-js";
import { addressRefusal, type GrpcAddress, grpcOrigin, type TargetPolicy, type TlsOptions } from "@loadline/core";
import type { GrpcConnector } from "../scenario/grpc-connector.ts";
import { grpcJs } from "../scenario/grpc-modules.ts";
import { TransportFailure } from "../scenario/index.ts";
import { originRefusal, type Resolver, systemResolver } from "./target-guard.ts";

const bare = (host: string): string => (host.startsWith("[") ? host.slice(1, -1) : host);

/** The grpc-js target of an address already checked: the IP itself, so grpc-js resolves nothing. */
const pinnedTarget = (ip: string, port: number): string => (isIP(ip) === 6 ? `ipv6:[${ip}]:${port}` : `ipv4:${ip}:${port}`);

/**
 * The grpc steps' channels of one thread: one grpc-js client per address (and TLS options),
 * shared by the thread's VUs (HTTP/2 multiplexes their calls), closed with the transport.
 *
 * Under a target policy a channel reaches only what the policy allows, as the HTTP requests do
 * (target-guard.ts): the address's `http(s)://host:port` origin is checked first; then the host
 * name is resolved here, its addresses filtered by `addressRefusal`, and grpc-js is given the
 * first allowed IP (`ipv4:`/`ipv6:` targets resolve nothing), with the host kept as the
 * authority and the TLS server name. A name that later resolves elsewhere changes nothing: the
 * channel stays on the checked address. Proxies from the environment are off, so the connection
 * goes where it was checked. Without a policy (local runs) grpc-js resolves the name itself.
 */
export class GrpcChannels implements GrpcConnector {
  private readonly clients = new Map<string, Promise<Client>>();
  private closed = false;

  constructor(
    private readonly policy: TargetPolicy | undefined,
    private readonly resolve: Resolver = systemResolver,
  ) {}

  clientFor(address: GrpcAddress, tls: TlsOptions | undefined): Promise<Client> {
    if (this.closed) return Promise.reject(new TransportFailure("reset", "transport closed"));
    const key = `${grpcOrigin(address)} ${address.tls ? JSON.stringify(tls ?? {}) : ""}`;
    let client = this.clients.get(key);
    if (!client) {
      client = this.open(address, tls);
      this.clients.set(key, client);
      // A failed lookup may pass: the next call tries again. A refusal stays (the policy does not change in a run).
      client.catch((error: unknown) => {
        if (!(error instanceof TransportFailure && error.kind === "blocked")) this.clients.delete(key);
      });
    }
    return client;
  }

  /** Closes every channel; calls still in flight end as UNAVAILABLE or CANCELLED. */
  async close(): Promise<void> {
    this.closed = true;
    const clients = await Promise.allSettled(this.clients.values());
    for (const c of clients) if (c.status === "fulfilled") c.value.close();
    this.clients.clear();
  }

  private async open(address: GrpcAddress, tls: TlsOptions | undefined): Promise<Client> {
    const { Client, credentials } = grpcJs();
    const authority = `${address.host}:${address.port}`;
    const options: ChannelOptions = { "grpc.default_authority": authority, "grpc.enable_http_proxy": 0 };
    const creds = address.tls
      ? credentials.createSsl(
          tls?.ca ? Buffer.from(tls.ca) : null,
          null,
          null,
          tls?.insecureSkipVerify ? { rejectUnauthorized: false } : {},
        )
      : credentials.createInsecure();
    if (!this.policy) return new Client(authority, creds, options);
    const refusal = originRefusal(grpcOrigin(address), this.policy);
    if (refusal) throw refusal;
    const ip = await this.checkedAddress(bare(address.host), this.policy);
    if (address.tls) options["grpc.ssl_target_name_override"] = bare(address.host);
    return new Client(pinnedTarget(ip, address.port), creds, options);
  }

  /** The first address of `host` the policy allows (an IP literal: itself, its origin already checked). */
  private checkedAddress(host: string, policy: TargetPolicy): Promise<string> {
    if (isIP(host) !== 0) return Promise.resolve(host);
    return new Promise((done, fail) =>
      this.resolve(host, { all: true }, (err, addresses) => {
        if (err || addresses.length === 0) return fail(new TransportFailure("connect", `cannot resolve ${host}`));
        const allowed = addresses.find((a) => addressRefusal(a.address, policy) === null);
        if (allowed) return done(allowed.address);
        const resolved = addresses.map((a) => a.address).join(", ");
        fail(new TransportFailure("blocked", `${host} resolved to ${resolved}: ${addressRefusal(addresses[0]!.address, policy)}`));
      }),
    );
  }
}
