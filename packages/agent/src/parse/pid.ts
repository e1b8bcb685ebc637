/** Parses /proc/<pid>/stat: the CPU ticks the process used (user + system). The comm may hold spaces and parentheses. */
export function parsePidStatTicks(text: string): number {
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // After the comm: state is field 3 of the man page, utime 14 and stime 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error("bad /proc/<pid>/stat");
  return utime + stime;
}

/** Parses /proc/<pid>/status: resident memory (VmRSS, absent for kernel threads) and thread count. */
export function parsePidStatus(text: string): { rssBytes: number; threads: number } {
  const rss = /^VmRSS:\s+(\d+)\s*kB/m.exec(text);
  const threads = /^Threads:\s+(\d+)/m.exec(text);
  return { rssBytes: rss ? Number(rss[1]) * 1024 : 0, threads: threads ? Number(threads[1]) : 0 };
}

/** Parses a pid file: the first line's number. */
export function parsePidFile(text: string): number {
  const pid = Number(text.trim().split(/\s+/)[0]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no pid in it: "${text.trim().slice(0, 40)}"`);
  return pid;
}

/** Parses cgroup.procs: one pid a line. */
export const parseCgroupProcs = (text: string): number[] =>
  text
    .split("\n")
    .map((l) => Number(l.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
