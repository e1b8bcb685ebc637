/** Cumulative CPU time of the whole host (the `cpu` line of /proc/stat), in clock ticks. */
export type CpuTimes = {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
};

export type ProcStat = { total: CpuTimes; cores: number };

export const CPU_MODES = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"] as const;

/** Parses /proc/stat: the aggregate `cpu` line, and how many `cpuN` lines (cores) there are. */
export function parseProcStat(text: string): ProcStat {
  let total: CpuTimes | undefined;
  let cores = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith("cpu")) continue;
    const [label, ...fields] = line.trim().split(/\s+/);
    if (label === "cpu") {
      const n = fields.map(Number);
      // guest and guest_nice (fields 9, 10) are already counted in user and nice: left out.
      total = {
        user: n[0] ?? 0,
        nice: n[1] ?? 0,
        system: n[2] ?? 0,
        idle: n[3] ?? 0,
        iowait: n[4] ?? 0,
        irq: n[5] ?? 0,
        softirq: n[6] ?? 0,
        steal: n[7] ?? 0,
      };
    } else if (/^cpu\d+$/.test(label ?? "")) cores++;
  }
  if (!total) throw new Error("/proc/stat has no cpu line");
  return { total, cores: Math.max(1, cores) };
}

export type CpuPercent = CpuTimes & { busy: number };

/** Each mode's share of the ticks between two samples, in % of all cores together; busy = 100 - idle - iowait. */
export function cpuPercent(before: CpuTimes, after: CpuTimes): CpuPercent {
  const delta = {} as CpuTimes;
  let sum = 0;
  for (const mode of CPU_MODES) {
    // A counter never goes back; if it seems to (a hot-unplugged core), count nothing.
    delta[mode] = Math.max(0, after[mode] - before[mode]);
    sum += delta[mode];
  }
  const out = {} as CpuPercent;
  for (const mode of CPU_MODES) out[mode] = sum > 0 ? round2((delta[mode] / sum) * 100) : mode === "idle" ? 100 : 0;
  out.busy = clampPercent(round2(100 - out.idle - out.iowait));
  return out;
}

export const round2 = (n: number): number => Math.round(n * 100) / 100;
export const clampPercent = (n: number): number => Math.min(100, Math.max(0, n));
