export type Memory = { totalBytes: number; availableBytes: number; usedBytes: number; swapUsedBytes: number };

/** Parses /proc/meminfo (values in kB): used is total less MemAvailable, the kernel's own estimate. */
export function parseMeminfo(text: string): Memory {
  const kb = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^(\w+(?:\(\w+\))?):\s+(\d+)/.exec(line);
    if (m) kb.set(m[1]!, Number(m[2]));
  }
  const total = kb.get("MemTotal");
  if (total === undefined) throw new Error("/proc/meminfo has no MemTotal");
  // Kernels before 3.14 have no MemAvailable: free + buffers + cached is the old approximation.
  const available = kb.get("MemAvailable") ?? (kb.get("MemFree") ?? 0) + (kb.get("Buffers") ?? 0) + (kb.get("Cached") ?? 0);
  const swapUsed = Math.max(0, (kb.get("SwapTotal") ?? 0) - (kb.get("SwapFree") ?? 0));
  return {
    totalBytes: total * 1024,
    availableBytes: available * 1024,
    usedBytes: Math.max(0, total - available) * 1024,
    swapUsedBytes: swapUsed * 1024,
  };
}
