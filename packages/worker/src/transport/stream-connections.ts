import type { LookupFunction } from "node:net";
import type { TargetPolicy, TlsOptions } from "@loadline/core";
import { Agent, buildConnector, type Dispatcher } from "undici";
import type { StreamConnector } from "../scenario/stream-connector.ts";
import type { TransportFailure } from "../scenario/transport.ts";
import { originRefusal } from "./target-guard.ts";

/**
 * The connections of the streaming steps (ws, sse) of one thread, under the run's target policy
 * exactly as its HTTP requests: each origin checked once (`originRefusal`), each connection
 * made through the transport's checked lookup, so it reaches only an address the policy allows.
 * One undici Agent for all of them: a WebSocket upgrade leaves its pool, an event stream holds a
 * connection of it for the step.
 */
export class StreamConnections implements StreamConnector {
  /** By TLS options (none: ""): steps that trust the same certificates share an agent. */
  private readonly agents = new Map<string, Agent>();
  private readonly refusals = new Map<string, TransportFailure | null>();

  constructor(
    private readonly policy: TargetPolicy | undefined,
    private readonly lookup: LookupFunction | undefined,
    private readonly connectTimeoutMs: number,
  ) {}

  dispatcherFor(origin: string, tls?: TlsOptions): Dispatcher {
    let refusal = this.refusals.get(origin);
    if (refusal === undefined) {
      refusal = this.policy ? originRefusal(origin, this.policy) : null;
      this.refusals.set(origin, refusal);
    }
    if (refusal !== null) throw refusal;
    const key = tls ? JSON.stringify([tls.ca ?? null, tls.insecureSkipVerify ?? false]) : "";
    let agent = this.agents.get(key);
    if (!agent) {
      const trust = tls ? { ...(tls.ca ? { ca: tls.ca } : {}), rejectUnauthorized: !tls.insecureSkipVerify } : {};
      const connect = buildConnector({ timeout: this.connectTimeoutMs, ...(this.lookup ? { lookup: this.lookup } : {}), ...trust });
      this.agents.set(key, (agent = new Agent({ connect })));
    }
    return agent;
  }

  /** Destroys the connections still open (the steps close theirs; this is for a transport closed under them). */
  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.destroy()));
  }
}
