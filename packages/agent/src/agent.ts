import { freemem, hostname, loadavg, totalmem } from "node:os";
import { type Namespace, type NatsConnection, subjects } from "@loadline/nats";
import type { Logger } from "@loadline/service";
import { jetstream } from "@nats-io/jetstream";

export type AgentOptions = { nc: NatsConnection; ns: Namespace; log: Logger; agentId?: string; intervalMs?: number };

/** The body of an agent heartbeat: who it is and how its host is doing. */
export type AgentHeartbeat = {
  agentId: string;
  host: string;
  time: string;
  load1: number;
  memFreeBytes: number;
  memTotalBytes: number;
};

/**
 * The control agent on a host of the system under test. For now it registers and
 * heartbeats with host figures on LL_AGENT; allow-listed actions come later.
 */
export class ControlAgent {
  readonly id: string;
  private timer?: NodeJS.Timeout;
  private lastBeat = 0;

  constructor(private readonly opts: AgentOptions) {
    this.id = opts.agentId ?? `a-${hostname().replace(/[^A-Za-z0-9_-]/g, "-")}`;
  }

  async start(): Promise<void> {
    await this.beat("registered");
    this.timer = setInterval(
      () => void this.beat("heartbeat").catch((err: unknown) => this.opts.log.warn({ err }, "heartbeat failed")),
      this.opts.intervalMs ?? 1000,
    );
  }

  ready(): boolean {
    return Date.now() - this.lastBeat < 5_000;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
  }

  private async beat(kind: "registered" | "heartbeat"): Promise<void> {
    const body: AgentHeartbeat = {
      agentId: this.id,
      host: hostname(),
      time: new Date().toISOString(),
      load1: loadavg()[0] ?? 0,
      memFreeBytes: freemem(),
      memTotalBytes: totalmem(),
    };
    await jetstream(this.opts.nc).publish(subjects.agent(this.opts.ns, this.id, kind), JSON.stringify(body));
    this.lastBeat = Date.now();
  }
}
