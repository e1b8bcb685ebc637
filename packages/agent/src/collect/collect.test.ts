import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAgentConfig, resolveAgentConfig } from "../config/load.ts";
import { CgroupSource } from "./cgroup.ts";
import { clockTicks } from "./clock-ticks.ts";
import { HostCollector } from "./host.ts";
import { ProcessCollector } from "./processes.ts";
import { TelemetryCollector } from "./telemetry.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: Server;
let base: string;
let requests = 0;
beforeAll(async () => {
  // The SUT's endpoints, on loopback: a Prometheus page, a stub_status page, and one that fails.
  server = createServer((req, res) => {
    if (req.url === "/metrics") {
      res.end('# TYPE up gauge\nup 1\nhttp_requests_total{code="200"} 10\nhttp_requests_total{code="500"} 2\nother 5\n');
    } else if (req.url === "/nginx") {
      requests += 50;
      res.end(`Active connections: 3 \nserver accepts handled requests\n 100 100 ${requests} \nReading: 0 Writing: 1 Waiting: 2 \n`);
    } else {
      res.statusCode = 500;
      res.end("broken");
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** A loopback port nothing listens on (it was just let go). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

it("reads CLK_TCK once: 100 on Linux", () => {
  expect(clockTicks()).toBe(100);
});

it("the host's figures match /proc read here", async () => {
  const host = new HostCollector();
  expect(host.collect()).toBeUndefined(); // the baseline
  await sleep(300);
  const t = host.collect()!;
  const meminfo = readFileSync("/proc/meminfo", "utf8");
  expect(t.memory.totalBytes).toBe(Number(/MemTotal:\s+(\d+)/.exec(meminfo)![1]) * 1024);
  const cores = readFileSync("/proc/stat", "utf8")
    .split("\n")
    .filter((l) => /^cpu\d+ /.test(l)).length;
  expect(t.cpu.cores).toBe(cores);
  const { user, nice, system, idle, iowait, irq, softirq, steal } = t.cpu;
  expect(user + nice + system + idle + iowait + irq + softirq + steal).toBeCloseTo(100, 0);
  expect(t.cpu.busy).toBeCloseTo(100 - idle - iowait, 1);
  expect(t.load.one).toBeCloseTo(Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]), 0);
  expect(t.network.rxBytesPerSec).toBeGreaterThanOrEqual(0);
  expect(t.disk.writeBytesPerSec).toBeGreaterThanOrEqual(0);
});

it("the host's rates from fixture /proc files: network less lo, whole disks, sectors of 512 bytes", async () => {
  const root = mkdtempSync(join(tmpdir(), "agent-host-"));
  const proc = join(root, "proc");
  const sysBlock = join(root, "block");
  mkdirSync(join(proc, "net"), { recursive: true });
  for (const d of ["vda", "loop0"]) mkdirSync(join(sysBlock, d), { recursive: true });
  const write = (n: number) => {
    writeFileSync(join(proc, "stat"), `cpu  ${100 * n} 0 ${50 * n} 1000 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\n`);
    writeFileSync(join(proc, "meminfo"), "MemTotal: 1000 kB\nMemAvailable: 400 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n");
    writeFileSync(join(proc, "loadavg"), "1.50 1.00 0.50 2/100 999\n");
    writeFileSync(
      join(proc, "net", "dev"),
      `h1\nh2\n    lo: ${1e6 * n} ${1000 * n} 0 0 0 0 0 0 ${1e6 * n} ${1000 * n} 0 0 0 0 0 0\n  eth0: ${1000 * n} ${10 * n} 0 0 0 0 0 0 ${2000 * n} ${20 * n} 0 0 0 0 0 0\n`,
    );
    writeFileSync(
      join(proc, "diskstats"),
      `   7 0 loop0 ${999 * n} 0 ${999 * n} 0 0 0 0 0 0 0 0\n 253 0 vda ${10 * n} 0 ${20 * n} 0 ${5 * n} 0 ${40 * n} 0 0 0 0\n 253 1 vda1 ${10 * n} 0 ${20 * n} 0 ${5 * n} 0 ${40 * n} 0 0 0 0\n`,
    );
  };
  write(1);
  const host = new HostCollector({ proc, sysBlock });
  host.collect();
  const t0 = performance.now();
  await sleep(250);
  write(2);
  const t = host.collect()!;
  const seconds = (performance.now() - t0) / 1000;
  // What went by in the interval, per second: the collector's own interval is a little shorter than the one timed here.
  const near = (value: number, delta: number) => {
    expect(value).toBeGreaterThanOrEqual((delta / seconds) * 0.95);
    expect(value).toBeLessThanOrEqual((delta / 0.25) * 1.01);
  };
  near(t.network.rxBytesPerSec, 1000);
  near(t.network.txPacketsPerSec, 20);
  near(t.disk.readsPerSec, 10);
  near(t.disk.readBytesPerSec, 20 * 512);
  near(t.disk.writeBytesPerSec, 40 * 512);
  expect(t.cpu).toMatchObject({ cores: 1, idle: 0, busy: 100 });
  expect(t.cpu.user).toBeCloseTo(66.67, 1);
  expect(t.memory).toEqual({ totalBytes: 1000 * 1024, availableBytes: 400 * 1024, usedBytes: 600 * 1024, swapUsedBytes: 0 });
  expect(t.load).toEqual({ one: 1.5, five: 1, fifteen: 0.5 });
});

describe("processes", () => {
  it("matched by pid file, cgroup.procs and name: CPU, RSS, threads and open files of this very process", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agent-proc-"));
    writeFileSync(join(dir, "self.pid"), `${process.pid}\n`);
    mkdirSync(join(dir, "cg"));
    writeFileSync(join(dir, "cg", "cgroup.procs"), `${process.pid}\n`);
    const comm = readFileSync("/proc/self/comm", "utf8").trim();
    const collector = new ProcessCollector(
      [
        { name: "by-pid-file", match: { pidFile: join(dir, "self.pid") } },
        { name: "by-cgroup", match: { cgroup: join(dir, "cg") } },
        { name: "by-comm", match: { comm } },
        { name: "missing", match: { pidFile: join(dir, "nope.pid") } },
      ],
      { clockTicks: 100 },
    );
    collector.collect([]);
    const end = Date.now() + 300;
    while (Date.now() < end) Math.sqrt(Math.random()); // busy on purpose: this process is the one watched
    const errors: string[] = [];
    const [byFile, byCgroup, byComm, missing] = collector.collect(errors);
    const status = readFileSync(`/proc/${process.pid}/status`, "utf8");
    for (const p of [byFile!, byCgroup!]) {
      expect(p.pids).toEqual([process.pid]);
      expect(p.cpuPercent).toBeGreaterThan(10); // busy, though sharing the cores with whatever else runs
      expect(p.threads).toBe(Number(/Threads:\s+(\d+)/.exec(status)![1]));
      expect(p.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
      expect(Math.abs(p.openFiles - readdirSync(`/proc/${process.pid}/fd`).length)).toBeLessThanOrEqual(2);
    }
    expect(byComm!.pids).toContain(process.pid);
    expect(missing).toMatchObject({ name: "missing", pids: [], cpuPercent: 0 });
    expect(errors).toEqual([expect.stringMatching(/^process missing: ENOENT/)]);
  });
});

it("a cgroup v2 directory: CPU of one core from usage_usec, throttled share, memory and its limit", async () => {
  const dir = mkdtempSync(join(tmpdir(), "agent-cg-"));
  const write = (usage: number, periods: number, throttled: number) =>
    writeFileSync(
      join(dir, "cpu.stat"),
      `usage_usec ${usage}\nuser_usec 0\nsystem_usec 0\nnr_periods ${periods}\nnr_throttled ${throttled}\n`,
    );
  writeFileSync(join(dir, "memory.current"), "1048576\n");
  writeFileSync(join(dir, "memory.max"), "max\n");
  write(1_000_000, 100, 0);
  const cg = new CgroupSource(dir);
  expect(cg.collect()).toBeUndefined();
  await sleep(500);
  write(1_250_000, 110, 5); // 250 ms of CPU in ~500 ms: ~50% of one core
  const t = cg.collect()!;
  expect(t.cpuPercent).toBeGreaterThan(35);
  expect(t.cpuPercent).toBeLessThan(51);
  expect(t).toMatchObject({ memoryBytes: 1048576, throttledPercent: 50 });
  expect(t.memoryMaxBytes).toBeUndefined();
});

describe("the telemetry of one interval", () => {
  it("carries the optional sources, each left out and named in errors when it fails", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agent-cg-"));
    writeFileSync(join(dir, "cpu.stat"), "usage_usec 0\n");
    writeFileSync(join(dir, "memory.current"), "4096\n");
    writeFileSync(join(dir, "memory.max"), "8192\n");
    const config = resolveAgentConfig(
      parseAgentConfig({
        agentId: "t1",
        labels: { service: "demo" },
        sources: {
          prometheus: { url: `${base}/metrics`, series: ["up", 'http_requests_total{code="500"}'] },
          nginx: { url: `${base}/nginx` },
          cgroup: { path: dir },
        },
      }),
    );
    const collector = new TelemetryCollector(config, { clockTicks: 100 });
    expect(collector.sources).toEqual(["prometheus", "nginx", "cgroup"]);
    await collector.baseline();
    await sleep(200);
    const t = await collector.collect();
    expect(t.errors).toBeUndefined();
    expect(t.labels).toEqual({ service: "demo" });
    expect(t.prometheus).toEqual({ up: 1, 'http_requests_total{code="500"}': 2 });
    expect(t.nginx).toMatchObject({ active: 3, writing: 1, waiting: 2 });
    expect(t.nginx!.requestsPerSec).toBeGreaterThan(100); // 50 more in ~200 ms
    expect(t.cgroup).toMatchObject({ cpuPercent: 0, memoryBytes: 4096, memoryMaxBytes: 8192 });

    const failing = new TelemetryCollector(
      resolveAgentConfig(
        parseAgentConfig({
          sources: {
            prometheus: { url: `${base}/broken`, series: ["up"] },
            nginx: { url: `http://127.0.0.1:${await closedPort()}/nginx`, timeoutMs: 500 },
            cgroup: { path: join(dir, "gone") },
          },
        }),
      ),
      { clockTicks: 100 },
    );
    await failing.baseline();
    const f = await failing.collect();
    expect(f.host.memory.totalBytes).toBeGreaterThan(0);
    expect(f.prometheus).toBeUndefined();
    expect(f.nginx).toBeUndefined();
    expect(f.cgroup).toBeUndefined();
    expect([...(f.errors ?? [])].sort()).toEqual([
      expect.stringMatching(/^cgroup: ENOENT/),
      expect.stringMatching(/^nginx: fetch failed \(connect ECONNREFUSED/),
      expect.stringMatching(/^prometheus: .*answered 500/),
    ]);
  });
});
