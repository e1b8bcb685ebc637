import type { AgentTelemetry } from "@loadline/core";
import type { AgentConfig } from "../config/schema.ts";
import { CgroupSource } from "./cgroup.ts";
import { HostCollector } from "./host.ts";
import { NginxSource } from "./nginx.ts";
import { ProcessCollector } from "./processes.ts";
import { PrometheusSource } from "./prometheus.ts";
import { errorText } from "./read.ts";

export type TelemetryPaths = { proc?: string; sysBlock?: string; cgroupRoot?: string };

/**
 * One interval's telemetry from every configured source. A source that fails is left out of
 * that interval and named in `errors`; only the host's own figures are required (without /proc
 * there is nothing to send).
 */
export class TelemetryCollector {
  private readonly host: HostCollector;
  private readonly processes: ProcessCollector;
  private readonly prometheus?: PrometheusSource;
  private readonly nginx?: NginxSource;
  private readonly cgroup?: CgroupSource;
  private lastAt = performance.now();

  constructor(
    private readonly config: AgentConfig,
    opts: { clockTicks: number; paths?: TelemetryPaths },
  ) {
    const proc = opts.paths?.proc ?? "/proc";
    const cgroupRoot = opts.paths?.cgroupRoot ?? "/sys/fs/cgroup";
    this.host = new HostCollector({ proc, sysBlock: opts.paths?.sysBlock ?? "/sys/block" });
    this.processes = new ProcessCollector(config.processes, { clockTicks: opts.clockTicks, proc, cgroupRoot });
    const { prometheus, nginx, cgroup } = config.sources;
    if (prometheus) this.prometheus = new PrometheusSource(prometheus);
    if (nginx) this.nginx = new NginxSource(nginx);
    if (cgroup) this.cgroup = new CgroupSource(cgroup.path, cgroupRoot);
  }

  /** The sources configured beyond the host: what agent.registered lists. */
  get sources(): string[] {
    return Object.keys(this.config.sources).filter((k) => this.config.sources[k as keyof AgentConfig["sources"]] !== undefined);
  }

  /** The first sample of every counter, so that the first interval has rates (the host's must work). */
  async baseline(): Promise<void> {
    this.lastAt = performance.now();
    this.host.collect();
    this.processes.collect([]);
    try {
      this.cgroup?.collect();
    } catch {
      // told at the first interval
    }
    await this.nginx?.collect().catch(() => undefined);
  }

  async collect(): Promise<AgentTelemetry> {
    const at = new Date().toISOString();
    const now = performance.now();
    const intervalMs = Math.max(1, Math.round(now - this.lastAt));
    this.lastAt = now;
    const errors: string[] = [];
    const host = this.host.collect();
    if (!host) throw new Error("no host baseline: call baseline() first");
    const processes = this.processes.collect(errors);
    let cgroup: AgentTelemetry["cgroup"];
    if (this.cgroup) {
      try {
        cgroup = this.cgroup.collect();
        if (!cgroup) errors.push("cgroup: first reading, no rate yet");
      } catch (err) {
        errors.push(`cgroup: ${errorText(err)}`);
      }
    }
    // The kernel's figures first, at the tick; the HTTP sources may take up to their timeout.
    const [prometheus, nginx] = await Promise.all([
      this.prometheus?.collect().catch((err: unknown) => void errors.push(`prometheus: ${errorText(err)}`)),
      this.nginx?.collect().then(
        (t) => t ?? void errors.push("nginx: first reading, no rate yet"),
        (err: unknown) => void errors.push(`nginx: ${errorText(err)}`),
      ),
    ]);
    return {
      at,
      intervalMs,
      labels: this.config.labels,
      host,
      processes,
      ...(prometheus ? { prometheus } : {}),
      ...(nginx ? { nginx } : {}),
      ...(cgroup ? { cgroup } : {}),
      ...(errors.length > 0 ? { errors } : {}),
    };
  }
}
