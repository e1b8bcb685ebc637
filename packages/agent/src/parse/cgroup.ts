export type CgroupCpuStat = { usageUsec: number; periods: number; throttled: number };

/** Parses a cgroup v2 cpu.stat (`usage_usec 123` lines); the period counts exist only with a CPU limit set. */
export function parseCgroupCpuStat(text: string): CgroupCpuStat {
  const v = new Map<string, number>();
  for (const line of text.split("\n")) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined) v.set(key, Number(value));
  }
  const usageUsec = v.get("usage_usec");
  if (usageUsec === undefined) throw new Error("cpu.stat has no usage_usec");
  return { usageUsec, periods: v.get("nr_periods") ?? 0, throttled: v.get("nr_throttled") ?? 0 };
}

/** Parses memory.current or memory.max: bytes, or undefined for `max` (no limit). */
export function parseCgroupBytes(text: string): number | undefined {
  const t = text.trim();
  if (t === "max") return undefined;
  const n = Number(t);
  if (t === "" || !Number.isFinite(n)) throw new Error(`not a byte count: "${t.slice(0, 40)}"`);
  return n;
}
