import { isAbsolute, join } from "node:path";
import type { AgentTelemetry } from "@loadline/core";
import { type CgroupCpuStat, parseCgroupBytes, parseCgroupCpuStat } from "../parse/cgroup.ts";
import { readKernelFile } from "./read.ts";

export type CgroupTelemetry = NonNullable<AgentTelemetry["cgroup"]>;

/** A cgroup v2 directory (a container): CPU in % of one core and throttling over the interval, memory now. */
export class CgroupSource {
  private readonly dir: string;
  private prev?: { at: number; cpu: CgroupCpuStat };

  constructor(path: string, cgroupRoot = "/sys/fs/cgroup") {
    this.dir = isAbsolute(path) ? path : join(cgroupRoot, path);
  }

  /** Undefined for the first reading (the baseline). */
  collect(): CgroupTelemetry | undefined {
    const cpu = parseCgroupCpuStat(readKernelFile(join(this.dir, "cpu.stat")));
    const memoryBytes = parseCgroupBytes(readKernelFile(join(this.dir, "memory.current"))) ?? 0;
    const memoryMaxBytes = parseCgroupBytes(readKernelFile(join(this.dir, "memory.max")));
    const at = performance.now();
    const prev = this.prev;
    this.prev = { at, cpu };
    if (!prev) return undefined;
    const usec = (at - prev.at) * 1000;
    const used = Math.max(0, cpu.usageUsec - prev.cpu.usageUsec);
    const periods = cpu.periods - prev.cpu.periods;
    const throttled = Math.max(0, cpu.throttled - prev.cpu.throttled);
    return {
      cpuPercent: usec > 0 ? Math.round((used / usec) * 10_000) / 100 : 0,
      memoryBytes,
      ...(memoryMaxBytes !== undefined ? { memoryMaxBytes } : {}),
      throttledPercent: periods > 0 ? Math.min(100, Math.round((throttled / periods) * 10_000) / 100) : 0,
    };
  }
}
