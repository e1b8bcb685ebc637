// Where the CPU went during an ingest phase: this process (both threads), Postgres, nats-server
// and everything else on the machine, from /proc, plus the cost per window applied.
import { readdirSync, readFileSync } from "node:fs";
import { parsePidStat, parseProcStat } from "../lib/cpu.ts";
import type { IngestBusy } from "../report.ts";

export type CpuSnapshot = { atMs: number; systemBusy: number; self: number; byComm: Record<string, Map<number, number>> };

const WATCHED = ["postgres", "nats-server"];

/** CPU ticks of this process, of every postgres and nats-server process, and of the whole machine. */
export function cpuSnapshot(): CpuSnapshot {
  const byComm: Record<string, Map<number, number>> = Object.fromEntries(WATCHED.map((c) => [c, new Map<number, number>()]));
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const comm = readFileSync(`/proc/${name}/comm`, "utf8").trim();
      if (!WATCHED.includes(comm)) continue;
      byComm[comm]!.set(Number(name), parsePidStat(readFileSync(`/proc/${name}/stat`, "utf8")));
    } catch {
      /* ended meanwhile */
    }
  }
  let self = 0;
  try {
    self = parsePidStat(readFileSync(`/proc/${process.pid}/stat`, "utf8"));
  } catch {
    /* not Linux */
  }
  let systemBusy = 0;
  try {
    systemBusy = parseProcStat(readFileSync("/proc/stat", "utf8")).get("cpu")?.busy ?? 0;
  } catch {
    /* not Linux */
  }
  return { atMs: Date.now(), systemBusy, self, byComm };
}

const TICKS_PER_SEC = 100; // USER_HZ

/** What the phase saw besides /proc: both threads' event-loop use, the publisher thread's CPU, the windows applied. */
type PhaseFigures = { mainElu: number; publisherElu: number; publisherTicks: number; applied: number };

export function cpuBusy(a: CpuSnapshot, b: CpuSnapshot, { mainElu, publisherElu, publisherTicks, applied }: PhaseFigures): IngestBusy {
  const wallTicks = ((b.atMs - a.atMs) / 1000) * TICKS_PER_SEC;
  const pct = (ticks: number) => (wallTicks > 0 ? Math.round((100 * ticks) / wallTicks) : 0);
  // A process started meanwhile counts from zero; one that ended meanwhile is lost (backends live as long as their pools).
  const used = (comm: string) => [...b.byComm[comm]!].reduce((s, [pid, t]) => s + t - (a.byComm[comm]!.get(pid) ?? 0), 0);
  const pg = used("postgres");
  const nats = used("nats-server");
  const self = b.self - a.self;
  const msPerWindow = (ticks: number) => (applied > 0 ? (1000 * ticks) / TICKS_PER_SEC / applied : 0);
  return {
    mainThreadPct: Math.round(100 * mainElu),
    publisherThreadPct: Math.round(100 * publisherElu),
    processPct: pct(self),
    postgresPct: pct(pg),
    natsPct: pct(nats),
    othersPct: Math.max(0, pct(b.systemBusy - a.systemBusy - self - pg - nats)),
    perWindowMs: { underTest: msPerWindow(self - publisherTicks), postgres: msPerWindow(pg) },
  };
}
