export type DiskCounters = { reads: number; readSectors: number; writes: number; writtenSectors: number };

/**
 * Devices whose I/O is already counted on the disks beneath them (device-mapper, md RAID) or
 * that are not disks (loop, ram, zram): left out so that nothing is counted twice.
 */
const NOT_A_DISK = /^(loop|ram|zram|dm-|md|sr|fd)/;

/** Whether a /sys/block entry is a whole physical disk whose I/O should be summed. */
export const isCountedDisk = (name: string): boolean => !NOT_A_DISK.test(name);

/**
 * Parses /proc/diskstats and sums the whole disks named in `disks` (the /sys/block entries):
 * partitions are not in /sys/block, and their I/O is already their disk's.
 */
export function parseDiskstats(text: string, disks: ReadonlySet<string>): DiskCounters {
  const sum: DiskCounters = { reads: 0, readSectors: 0, writes: 0, writtenSectors: 0 };
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    const name = f[2];
    if (f.length < 10 || name === undefined || !disks.has(name) || !isCountedDisk(name)) continue;
    sum.reads += Number(f[3]);
    sum.readSectors += Number(f[5]);
    sum.writes += Number(f[7]);
    sum.writtenSectors += Number(f[9]);
  }
  return sum;
}

/** Sectors in /proc/diskstats are always 512 bytes, whatever the device's own sector size. */
export const SECTOR_BYTES = 512;
