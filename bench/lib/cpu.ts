// How busy the machine is before a section starts: a benchmark on a shared machine says so.
import { readFileSync } from "node:fs";
import { sleep } from "@loadline/core";

type Times = { busy: number; total: number };

export function parseProcStat(text: string): Map<string, Times> {
  const out = new Map<string, Times>();
  for (const line of text.split("\n")) {
    const m = /^(cpu\d*)\s+(.*)$/.exec(line);
    if (!m) continue;
    const v = m[2]!.trim().split(/\s+/).map(Number);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    out.set(m[1]!, { busy: total - idle, total });
  }
  return out;
}

/** Busy percentage of each core over `ms`. */
export async function coreBusy(ms = 1000): Promise<Record<string, number>> {
  const a = parseProcStat(readFileSync("/proc/stat", "utf8"));
  await sleep(ms);
  const b = parseProcStat(readFileSync("/proc/stat", "utf8"));
  const out: Record<string, number> = {};
  for (const [k, t1] of b) {
    const t0 = a.get(k);
    if (!t0 || k === "cpu") continue;
    const dt = t1.total - t0.total;
    out[k] = dt > 0 ? Math.round((100 * (t1.busy - t0.busy)) / dt) : 0;
  }
  return out;
}

/** utime+stime (and, with `children`, cutime+cstime: reaped children) in clock ticks from /proc/<pid>/stat text. */
export function parsePidStat(text: string, children = false): number {
  const f = text.slice(text.lastIndexOf(")") + 2).split(" "); // f[0] is field 3 (state)
  const n = (i: number) => Number(f[i - 3] ?? 0);
  return n(14) + n(15) + (children ? n(16) + n(17) : 0);
}

function pidTicks(pid: number, children = false): number {
  try {
    return parsePidStat(readFileSync(`/proc/${pid}/stat`, "utf8"), children);
  } catch {
    return 0;
  }
}

function systemBusyTicks(): number {
  return parseProcStat(readFileSync("/proc/stat", "utf8")).get("cpu")!.busy;
}

const TICKS_PER_SEC = 100; // USER_HZ on Linux

/**
 * CPU that processes other than ours used while a measurement ran, in % of one core: the
 * machine's busy time less this harness (with the generators it started and reaped) and the
 * target's process tree. A figure taken while others load the machine is not comparable.
 */
export function startInterference(targetPids: () => number[]) {
  const mine = () => pidTicks(process.pid, true) + targetPids().reduce((s, p) => s + pidTicks(p), 0);
  const busy0 = systemBusyTicks();
  const mine0 = mine();
  const t0 = performance.now();
  return {
    stop(): number {
      const wallTicks = ((performance.now() - t0) / 1000) * TICKS_PER_SEC;
      const others = systemBusyTicks() - busy0 - (mine() - mine0);
      return wallTicks > 0 ? Math.max(0, Math.round((100 * others) / wallTicks)) : 0;
    },
  };
}
