// Resident memory of a process and its descendants, read from /proc (Linux only).
import { readdirSync, readFileSync } from "node:fs";

/** kB values of VmRSS and VmHWM (peak RSS) from /proc/<pid>/status text. */
export function parseStatus(text: string): { rssKb: number; hwmKb: number } | undefined {
  const rss = /^VmRSS:\s+(\d+) kB/m.exec(text);
  const hwm = /^VmHWM:\s+(\d+) kB/m.exec(text);
  if (!rss || !hwm) return undefined;
  return { rssKb: Number(rss[1]), hwmKb: Number(hwm[1]) };
}

function children(): Map<number, number[]> {
  const byParent = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // pid (comm) state ppid ... ; comm may hold spaces or parens, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = byParent.get(ppid) ?? [];
      list.push(Number(name));
      byParent.set(ppid, list);
    } catch {
      /* the process ended meanwhile */
    }
  }
  return byParent;
}

/** The process and all its descendants. */
export function processTree(pid: number): number[] {
  const byParent = children();
  const out: number[] = [];
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop()!;
    out.push(p);
    todo.push(...(byParent.get(p) ?? []));
  }
  return out;
}

/** Sum of VmRSS, and the largest VmHWM, over a process tree; undefined once the root is gone. */
export function treeMemory(pid: number): { rssKb: number; hwmKb: number } | undefined {
  let rssKb = 0;
  let hwmKb = 0;
  let seenRoot = false;
  for (const p of processTree(pid)) {
    try {
      const s = parseStatus(readFileSync(`/proc/${p}/status`, "utf8"));
      if (!s) continue; // a zombie has no VmRSS
      if (p === pid) seenRoot = true;
      rssKb += s.rssKb;
      hwmKb = Math.max(hwmKb, s.hwmKb);
    } catch {
      /* ended meanwhile */
    }
  }
  return seenRoot ? { rssKb, hwmKb } : undefined;
}

/** Samples `pid`'s tree every `everyMs` until stop(); peakKb is the largest of summed RSS and any VmHWM. */
export function startRssSampler(pid: number, everyMs = 200) {
  let peakKb = 0;
  let samples = 0;
  const sample = () => {
    const m = treeMemory(pid);
    if (!m) return;
    samples++;
    peakKb = Math.max(peakKb, m.rssKb, m.hwmKb);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return { peakMb: peakKb / 1024, samples };
    },
  };
}
