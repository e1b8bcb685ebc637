// How busy the machine is before a section starts: a benchmark on a shared machine says so.
import { readdirSync, readFileSync } from "node:fs";
import { sleep } from "@loadline/core";
import { processTree } from "./rss.ts";

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

function pidTicks(pid: number): number {
  try {
    return parsePidStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return 0;
  }
}

/** utime+stime of every process on the machine now, kernel threads included, by pid. */
function everyProcessTicks(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync("/proc")) if (/^\d+$/.test(name)) out.set(Number(name), pidTicks(Number(name)));
  return out;
}

/**
 * Ticks the processes not in `excluded` used between two readings of everyProcessTicks. A pid
 * seen only in `after` started meanwhile, all its time counts; one that ended meanwhile is
 * missed; a pid reused meanwhile counts from 0, not below.
 */
export function othersTicks(before: Map<number, number>, after: Map<number, number>, excluded: ReadonlySet<number>): number {
  let ticks = 0;
  for (const [pid, t] of after) if (!excluded.has(pid)) ticks += Math.max(0, t - (before.get(pid) ?? 0));
  return ticks;
}

const TICKS_PER_SEC = 100; // USER_HZ on Linux

/**
 * CPU that processes other than ours used while a measurement ran, in % of one core: every
 * other process's own time, kernel threads included, leaving out this harness with what it
 * started (the generators, a target it runs) and the target's tree. Read per process, not from
 * /proc/stat's busy total: on this VM that total charged 35-50% of a core to the target's core
 * while a Node generator ran, which perf there showed 87% halted and 8% nginx. A figure taken
 * while others load the machine is not comparable.
 */
export function startInterference(targetPids: () => number[]) {
  const ours = () => new Set([...processTree(process.pid), ...targetPids()]);
  const before = everyProcessTicks();
  const t0 = performance.now();
  return {
    stop(): number {
      const wallTicks = ((performance.now() - t0) / 1000) * TICKS_PER_SEC;
      const others = othersTicks(before, everyProcessTicks(), ours());
      return wallTicks > 0 ? Math.round((100 * others) / wallTicks) : 0;
    },
  };
}
