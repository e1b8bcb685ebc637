import { readdirSync } from "node:fs";
import type { AgentTelemetry } from "@loadline/core";
import { type DiskCounters, isCountedDisk, parseDiskstats, SECTOR_BYTES } from "../parse/diskstats.ts";
import { parseLoadavg } from "../parse/loadavg.ts";
import { parseMeminfo } from "../parse/meminfo.ts";
import { type NetCounters, parseNetDev } from "../parse/net-dev.ts";
import { cpuPercent, type ProcStat, parseProcStat } from "../parse/proc-stat.ts";
import { perSecond, readKernelFile } from "./read.ts";

export type HostTelemetry = AgentTelemetry["host"];

type Sample = { at: number; stat: ProcStat; net: NetCounters; disk: DiskCounters; disks: ReadonlySet<string> };

/** Disks come and go rarely: /sys/block is listed again only this often. */
const DISK_LIST_MS = 60_000;

/** The host's figures from /proc: CPU, network and disk as rates over the interval since the last sample. */
export class HostCollector {
  private prev?: Sample;
  private disks = new Set<string>();
  private disksListedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly paths: { proc: string; sysBlock: string } = { proc: "/proc", sysBlock: "/sys/block" }) {}

  /** Takes a sample; returns the figures since the previous one (undefined for the first: the baseline). */
  collect(): HostTelemetry | undefined {
    const now = performance.now();
    const { proc } = this.paths;
    const disks = this.diskNames(now);
    const sample: Sample = {
      at: now,
      stat: parseProcStat(readKernelFile(`${proc}/stat`)),
      net: parseNetDev(readKernelFile(`${proc}/net/dev`)),
      disk: parseDiskstats(readKernelFile(`${proc}/diskstats`), disks),
      disks,
    };
    const memory = parseMeminfo(readKernelFile(`${proc}/meminfo`));
    const load = parseLoadavg(readKernelFile(`${proc}/loadavg`));
    const prev = this.prev;
    this.prev = sample;
    if (!prev) return undefined;
    const s = (now - prev.at) / 1000;
    // A disk added or removed since changes the sums, not the I/O: no disk rates this interval.
    const ds = prev.disks === disks ? s : 0;
    return {
      cpu: { cores: sample.stat.cores, ...cpuPercent(prev.stat.total, sample.stat.total) },
      memory,
      load,
      network: {
        rxBytesPerSec: perSecond(prev.net.rxBytes, sample.net.rxBytes, s),
        txBytesPerSec: perSecond(prev.net.txBytes, sample.net.txBytes, s),
        rxPacketsPerSec: perSecond(prev.net.rxPackets, sample.net.rxPackets, s),
        txPacketsPerSec: perSecond(prev.net.txPackets, sample.net.txPackets, s),
      },
      disk: {
        readBytesPerSec: perSecond(prev.disk.readSectors * SECTOR_BYTES, sample.disk.readSectors * SECTOR_BYTES, ds),
        writeBytesPerSec: perSecond(prev.disk.writtenSectors * SECTOR_BYTES, sample.disk.writtenSectors * SECTOR_BYTES, ds),
        readsPerSec: perSecond(prev.disk.reads, sample.disk.reads, ds),
        writesPerSec: perSecond(prev.disk.writes, sample.disk.writes, ds),
      },
    };
  }

  /** The whole disks: /sys/block lists disks, not partitions. */
  private diskNames(now: number): ReadonlySet<string> {
    if (now - this.disksListedAt >= DISK_LIST_MS) {
      this.disksListedAt = now;
      let listed: Set<string>;
      try {
        listed = new Set(readdirSync(this.paths.sysBlock).filter(isCountedDisk));
      } catch {
        listed = new Set();
      }
      // Kept as the same set while the same disks: a new one tells collect() the sums changed.
      const same = listed.size === this.disks.size && [...listed].every((d) => this.disks.has(d));
      if (!same) this.disks = listed;
    }
    return this.disks;
  }
}
