import { describe, expect, it } from "vitest";
import { parseCgroupBytes, parseCgroupCpuStat } from "./cgroup.ts";
import { isCountedDisk, parseDiskstats } from "./diskstats.ts";
import { parseLoadavg } from "./loadavg.ts";
import { parseMeminfo } from "./meminfo.ts";
import { parseNetDev } from "./net-dev.ts";
import { parseNginxStatus } from "./nginx.ts";
import { parseCgroupProcs, parsePidFile, parsePidStatTicks, parsePidStatus } from "./pid.ts";
import { cpuPercent, parseProcStat } from "./proc-stat.ts";
import { parsePrometheusText, parseSelector, selectSeries, seriesKey } from "./prometheus.ts";

const STAT_1 = `cpu  1000 10 500 8000 100 0 50 0 0 0
cpu0 500 5 250 4000 50 0 25 0 0 0
cpu1 500 5 250 4000 50 0 25 0 0 0
intr 3318509 0 0
ctxt 9492742
btime 1700000000
`;
const STAT_2 = `cpu  1400 10 600 8900 150 0 90 0 0 0
cpu0 700 5 300 4450 75 0 45 0 0 0
cpu1 700 5 300 4450 75 0 45 0 0 0
`;

describe("/proc/stat", () => {
  it("reads the cpu line and counts the cores", () => {
    const s = parseProcStat(STAT_1);
    expect(s.cores).toBe(2);
    expect(s.total).toEqual({ user: 1000, nice: 10, system: 500, idle: 8000, iowait: 100, irq: 0, softirq: 50, steal: 0 });
  });

  it("gives each mode's share of the ticks between two samples; busy is 100 less idle and iowait", () => {
    // deltas: user 400, system 100, idle 900, iowait 50, softirq 40: 1490 ticks
    const p = cpuPercent(parseProcStat(STAT_1).total, parseProcStat(STAT_2).total);
    expect(p.user).toBeCloseTo((400 / 1490) * 100, 1);
    expect(p.idle).toBeCloseTo((900 / 1490) * 100, 1);
    expect(p.busy).toBeCloseTo(100 - (950 / 1490) * 100, 1);
    const sum = p.user + p.nice + p.system + p.idle + p.iowait + p.irq + p.softirq + p.steal;
    expect(sum).toBeCloseTo(100, 0);
  });

  it("reads no time passed as all idle", () => {
    const t = parseProcStat(STAT_1).total;
    expect(cpuPercent(t, t)).toMatchObject({ idle: 100, busy: 0, user: 0 });
  });
});

it("/proc/meminfo: total, MemAvailable, used and swap used in bytes", () => {
  const m = parseMeminfo(`MemTotal:       16000000 kB
MemFree:         1000000 kB
MemAvailable:    6000000 kB
Buffers:          200000 kB
Cached:          3000000 kB
SwapTotal:       2000000 kB
SwapFree:        1500000 kB
Active(anon):     100000 kB
`);
  expect(m).toEqual({
    totalBytes: 16000000 * 1024,
    availableBytes: 6000000 * 1024,
    usedBytes: 10000000 * 1024,
    swapUsedBytes: 500000 * 1024,
  });
});

it("/proc/loadavg", () => {
  expect(parseLoadavg("0.52 0.58 1.59 1/467 12345\n")).toEqual({ one: 0.52, five: 0.58, fifteen: 1.59 });
  expect(() => parseLoadavg("")).toThrow();
});

it("/proc/net/dev: sums every interface but lo", () => {
  const n = parseNetDev(`Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 999999 9999    0    0    0     0          0         0 999999 9999    0    0    0     0       0          0
  eth0: 1000 10    0    0    0     0          0         0 2000 20    0    0    0     0       0          0
  eth1:500 5    0    0    0     0          0         0 700 7    0    0    0     0       0          0
`);
  expect(n).toEqual({ rxBytes: 1500, rxPackets: 15, txBytes: 2700, txPackets: 27 });
});

it("/proc/diskstats: whole disks only, not their partitions, loop or device-mapper devices", () => {
  const text = `   7       0 loop0 100 0 800 0 0 0 0 0 0 0 0 0 0 0 0 0 0
 253       0 vda 1000 10 20000 300 500 20 8000 400 0 600 700 0 0 0 0 0 0
 253       1 vda1 900 10 18000 300 450 20 7000 400 0 600 700 0 0 0 0 0 0
 259       0 nvme0n1 10 0 80 1 20 0 160 2 0 3 3
 259       1 nvme0n1p1 10 0 80 1 20 0 160 2 0 3 3
 252       0 dm-0 1000 0 20000 0 500 0 8000 0 0 0 0
`;
  const disks = new Set(["loop0", "vda", "nvme0n1", "dm-0"]);
  expect(parseDiskstats(text, disks)).toEqual({ reads: 1010, readSectors: 20080, writes: 520, writtenSectors: 8160 });
  expect(["sda", "vda", "nvme0n1"].every(isCountedDisk)).toBe(true);
  expect(["loop3", "dm-1", "md0", "zram0", "ram0"].some(isCountedDisk)).toBe(false);
});

describe("/proc/<pid>", () => {
  it("stat: utime + stime, even with spaces and parentheses in the comm", () => {
    const stat = "4242 (my (odd) proc) S 1 4242 4242 0 -1 4194560 2000 0 0 0 150 37 0 0 20 0 9 0 123456 1000000 2500 18446744073709551615";
    expect(parsePidStatTicks(stat)).toBe(187);
  });

  it("status: VmRSS and Threads", () => {
    expect(parsePidStatus("Name:\tnode\nVmRSS:\t   51200 kB\nThreads:\t11\n")).toEqual({ rssBytes: 51200 * 1024, threads: 11 });
    expect(parsePidStatus("Name:\tkthreadd\nThreads:\t1\n")).toEqual({ rssBytes: 0, threads: 1 });
  });

  it("pid files and cgroup.procs", () => {
    expect(parsePidFile("1234\n")).toBe(1234);
    expect(() => parsePidFile("nope")).toThrow(/no pid/);
    expect(parseCgroupProcs("12\n34\n\n")).toEqual([12, 34]);
  });
});

it("nginx stub_status", () => {
  const s = parseNginxStatus(`Active connections: 291 
server accepts handled requests
 16630948 16630948 31070465 
Reading: 6 Writing: 179 Waiting: 106 
`);
  expect(s).toEqual({ active: 291, accepts: 16630948, handled: 16630948, requests: 31070465, reading: 6, writing: 179, waiting: 106 });
  expect(() => parseNginxStatus("<html>not it</html>")).toThrow();
});

it("cgroup v2 cpu.stat, memory.current, memory.max", () => {
  expect(
    parseCgroupCpuStat("usage_usec 5000000\nuser_usec 4000000\nsystem_usec 1000000\nnr_periods 100\nnr_throttled 7\nthrottled_usec 9\n"),
  ).toEqual({
    usageUsec: 5000000,
    periods: 100,
    throttled: 7,
  });
  expect(parseCgroupCpuStat("usage_usec 10\n")).toEqual({ usageUsec: 10, periods: 0, throttled: 0 });
  expect(parseCgroupBytes("1048576\n")).toBe(1048576);
  expect(parseCgroupBytes("max\n")).toBeUndefined();
});

describe("Prometheus text exposition", () => {
  const text = `# HELP http_requests_total Requests.
# TYPE http_requests_total counter
http_requests_total{method="GET",code="200"} 1027 1395066363000
http_requests_total{method="POST",code="500"} 3
http_requests_total{method="GET",code="500",path="/a \\"q\\", b}"} 2
process_resident_memory_bytes 4.5e+07
go_gc_duration_seconds{quantile="0.5"} NaN
up +Inf
`;

  it("parses series, labels (with escapes) and values, skipping comments and timestamps", () => {
    const series = parsePrometheusText(text);
    expect(series).toHaveLength(6);
    expect(series[0]).toEqual({
      name: "http_requests_total",
      labels: [
        ["method", "GET"],
        ["code", "200"],
      ],
      value: 1027,
    });
    expect(series[2]!.labels[2]).toEqual(["path", '/a "q", b}']);
    expect(series[3]!.value).toBe(45_000_000);
    expect(series[5]!.value).toBe(Number.POSITIVE_INFINITY);
  });

  it("keeps the selected series, by name or with labels, and no NaN or Inf", () => {
    const selectors = ["process_resident_memory_bytes", 'http_requests_total{code="500"}', "go_gc_duration_seconds", "up"].map(
      parseSelector,
    );
    const kept = selectSeries(parsePrometheusText(text), selectors, 100);
    expect(kept).toEqual({
      process_resident_memory_bytes: 45_000_000,
      'http_requests_total{method="POST",code="500"}': 3,
      'http_requests_total{method="GET",code="500",path="/a \\"q\\", b}"}': 2,
    });
    expect(Object.keys(selectSeries(parsePrometheusText(text), [parseSelector("http_requests_total")], 2))).toHaveLength(2);
  });

  it("parses selectors and refuses bad ones", () => {
    expect(parseSelector('a_b{x="1", y="2"}')).toEqual({
      name: "a_b",
      labels: [
        ["x", "1"],
        ["y", "2"],
      ],
    });
    expect(seriesKey(parseSelector('a{x="1"}'))).toBe('a{x="1"}');
    expect(() => parseSelector("9bad")).toThrow();
    expect(() => parseSelector('a{x="1"} extra')).toThrow();
    expect(() => parseSelector("a{x=1}")).toThrow();
  });
});
