import { readdirSync, statSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { AgentTelemetry } from "@loadline/core";
import type { ProcessConfig } from "../config/schema.ts";
import { parseCgroupProcs, parsePidFile, parsePidStatTicks, parsePidStatus } from "../parse/pid.ts";
import { errorText, readKernelFile } from "./read.ts";

export type ProcessTelemetry = AgentTelemetry["processes"][number];

export type ProcessCollectorOptions = {
  clockTicks: number;
  proc?: string;
  cgroupRoot?: string;
  /** How often all of /proc is scanned for processes matched by name (default 10 s). */
  rescanMs?: number;
};

/** The kernel keeps a process name (comm) to 15 characters. */
const COMM_LENGTH = 15;

/**
 * The watched processes' CPU (% of one core, over the interval), memory, threads and open
 * files. Processes matched by name are found by a scan of /proc every `rescanMs` only. Pid files and cgroup.procs are one
 * small read each, done every interval.
 */
export class ProcessCollector {
  private readonly proc: string;
  private readonly cgroupRoot: string;
  private prevTicks = new Map<number, number>();
  private prevAt?: number;
  private byComm = new Map<string, number[]>();
  private scannedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly processes: readonly ProcessConfig[],
    private readonly opts: ProcessCollectorOptions,
  ) {
    this.proc = opts.proc ?? "/proc";
    this.cgroupRoot = opts.cgroupRoot ?? "/sys/fs/cgroup";
  }

  /** One entry per configured process (no pids when none matched); what could not be read goes to `errors`. */
  collect(errors: string[]): ProcessTelemetry[] {
    if (this.processes.length === 0) return [];
    const now = performance.now();
    const seconds = this.prevAt === undefined ? 0 : (now - this.prevAt) / 1000;
    this.prevAt = now;
    this.rescanIfDue(now);
    const ticks = new Map<number, number>();
    const out = this.processes.map((p) => {
      const entry: ProcessTelemetry = { name: p.name, pids: [], cpuPercent: 0, rssBytes: 0, threads: 0, openFiles: 0 };
      let pids: number[];
      try {
        pids = this.pidsOf(p);
      } catch (err) {
        errors.push(`process ${p.name}: ${errorText(err)}`);
        return entry;
      }
      let usedTicks = 0;
      for (const pid of pids) {
        let t: number;
        let status: { rssBytes: number; threads: number };
        try {
          t = parsePidStatTicks(readKernelFile(`${this.proc}/${pid}/stat`));
          status = parsePidStatus(readKernelFile(`${this.proc}/${pid}/status`));
        } catch {
          continue; // it ended since it was matched
        }
        const before = this.prevTicks.get(pid);
        // A pid new this interval (or reused: fewer ticks than before) counts from now on.
        if (before !== undefined && t >= before) usedTicks += t - before;
        ticks.set(pid, t);
        entry.pids.push(pid);
        entry.rssBytes += status.rssBytes;
        entry.threads += status.threads;
        try {
          entry.openFiles += openFiles(`${this.proc}/${pid}/fd`);
        } catch (err) {
          errors.push(`process ${p.name}: open files of ${pid}: ${errorText(err)}`);
        }
      }
      entry.cpuPercent = seconds > 0 ? Math.round((usedTicks / this.opts.clockTicks / seconds) * 10_000) / 100 : 0;
      return entry;
    });
    this.prevTicks = ticks;
    return out;
  }

  private pidsOf(p: ProcessConfig): number[] {
    const { comm, pidFile, cgroup } = p.match;
    if (pidFile !== undefined) return [parsePidFile(readKernelFile(pidFile))];
    if (cgroup !== undefined) {
      const dir = isAbsolute(cgroup) ? cgroup : join(this.cgroupRoot, cgroup);
      return parseCgroupProcs(readKernelFile(join(dir, "cgroup.procs")));
    }
    return this.byComm.get(comm!.slice(0, COMM_LENGTH)) ?? [];
  }

  /** Scans /proc for the names watched, when due; one pass for all of them. */
  private rescanIfDue(now: number): void {
    const names = new Set(this.processes.flatMap((p) => (p.match.comm !== undefined ? [p.match.comm.slice(0, COMM_LENGTH)] : [])));
    if (names.size === 0) return;
    // Between scans a pid that ended is skipped where its stat cannot be read; a new one waits for the next scan.
    if (now - this.scannedAt < (this.opts.rescanMs ?? 10_000)) return;
    this.scannedAt = now;
    const found = new Map<string, number[]>([...names].map((n) => [n, []]));
    for (const entry of readdirSync(this.proc)) {
      if (!/^\d+$/.test(entry)) continue;
      let comm: string;
      try {
        comm = readKernelFile(`${this.proc}/${entry}/comm`).trimEnd();
      } catch {
        continue;
      }
      found.get(comm)?.push(Number(entry));
    }
    this.byComm = found;
  }
}

/**
 * The entries of /proc/<pid>/fd. Since Linux 6.2 the directory's size is that count, which spares
 * listing thousands of sockets every second; older kernels say 0, and the directory is listed.
 */
function openFiles(dir: string): number {
  const size = statSync(dir).size;
  return size > 0 ? size : readdirSync(dir).length;
}
