// The sections that put load generators against a target: throughput (run.sh's nginx), accuracy
// (the delay and stall targets) and memory (the slow target). report.ts prints what they return.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "@loadline/core";
import { startTarget } from "./lib/proc.ts";
import { BENCH, getJson, loadline, loadlineAvailable, measure, onPath, ROOT, TARGET_CPU } from "./measure.ts";
import type { AccuracyData, MemoryData, Outcome, ThroughputData } from "./report.ts";
import { autocannonCommand, parseAutocannon } from "./tools/autocannon.ts";
import { heyCommand, parseHey } from "./tools/hey.ts";
import { locustCommand, parseLocust } from "./tools/locust.ts";
import type { LoadOptions } from "./tools/types.ts";
import { parseWrk, wrkCommand } from "./tools/wrk.ts";

export async function throughput(nginxUrl: string, durationSec: number): Promise<ThroughputData> {
  const d: ThroughputData = { durationSec, connections: 64, rows: [] };
  const o: LoadOptions = { url: nginxUrl, connections: 64, durationSec };
  const nginx = { targetPid: Number(process.env.BENCH_NGINX_PID) || undefined };
  let nginxError: string | undefined;
  if (!nginxUrl) nginxError = "no nginx URL (run through bench/run.sh)";
  else {
    try {
      const r = await fetch(nginxUrl, { signal: AbortSignal.timeout(3000) });
      if ((await r.text()) !== "ok") nginxError = `nginx at ${nginxUrl} did not answer "ok"`;
    } catch (e) {
      nginxError = `nginx at ${nginxUrl}: ${(e as Error).message}`;
    }
  }
  const tools: { tool: string; available: () => string | undefined; go: () => Promise<{ outcome: Outcome }> }[] = [
    { tool: "loadline", available: loadlineAvailable, go: () => loadline("throughput-loadline", { ...o, threads: 1 }, nginx) },
    {
      tool: "autocannon",
      available: () => (existsSync(join(ROOT, "node_modules/.bin/autocannon")) ? undefined : "node_modules/.bin/autocannon not installed"),
      go: () => measure("throughput-autocannon", autocannonCommand(o, ROOT), parseAutocannon, durationSec, nginx),
    },
    {
      tool: "wrk",
      available: () => (onPath("wrk") ? undefined : "wrk not installed"),
      go: () => measure("throughput-wrk", wrkCommand(o), parseWrk, durationSec, nginx),
    },
    {
      tool: "hey",
      available: () => (onPath("hey") ? undefined : "hey not installed"),
      go: () => measure("throughput-hey", heyCommand(o), parseHey, durationSec, nginx),
    },
    {
      tool: "locust (FastHttpUser, 1 process)",
      available: () => (onPath("locust") ? undefined : "locust not installed"),
      go: () =>
        measure("throughput-locust", locustCommand(o, join(BENCH, "locustfile.py")), parseLocust, durationSec, {
          ...nginx,
          combineStderr: true,
        }),
    },
  ];
  for (const t of tools) {
    const missing = nginxError ?? t.available();
    if (missing) {
      d.rows.push({ tool: t.tool, outcome: { ok: false, reason: missing } });
      continue;
    }
    d.rows.push({ tool: t.tool, outcome: (await t.go()).outcome });
    await sleep(1000);
  }
  return d;
}

export async function accuracy(durationSec: number): Promise<AccuracyData> {
  const d: AccuracyData = {};
  // (a) fixed 20 ms latency at 2,000 requests/s, open model.
  const delay = await startTarget(join(BENCH, "targets/delay-server.mjs"), ["--delay-ms", "20"], TARGET_CPU, durationSec + 180);
  try {
    const rate = 2000;
    const r = await loadline(
      "accuracy-fixed-loadline",
      { url: delay.url, connections: 100, rate, maxVus: 400, durationSec },
      { targetPid: delay.pid },
    );
    d.fixed = { rate, delayMs: 20, durationSec, outcome: r.outcome };
  } finally {
    await delay.stop();
  }
  await sleep(1000);
  // (b) 1 s stall every 5 s: open-model Loadline against closed-loop wrk, same target and duration.
  const stallSec = Math.max(durationSec + 2, 6);
  const stall = await startTarget(
    join(BENCH, "targets/stall-server.mjs"),
    ["--period-ms", "5000", "--stall-ms", "1000"],
    TARGET_CPU,
    2 * stallSec + 300,
  );
  try {
    const rate = 1000;
    await getJson(stall.url + "__reset");
    const l = await loadline(
      "accuracy-stall-loadline",
      { url: stall.url, connections: 100, rate, maxVus: 2000, durationSec: stallSec },
      { targetPid: stall.pid },
    );
    const lStats = await getJson(stall.url + "__stats");
    await sleep(1000);
    let w: { outcome: Outcome };
    let wStats: any;
    if (!onPath("wrk")) w = { outcome: { ok: false, reason: "wrk not installed" } };
    else {
      await getJson(stall.url + "__reset");
      w = await measure("accuracy-stall-wrk", wrkCommand({ url: stall.url, connections: 64, durationSec: stallSec }), parseWrk, stallSec, {
        targetPid: stall.pid,
      });
      wStats = await getJson(stall.url + "__stats");
    }
    await sleep(1000);
    await getJson(stall.url + "__reset");
    const ac = await measure(
      "accuracy-stall-autocannon",
      autocannonCommand({ url: stall.url, connections: 64, durationSec: stallSec }, ROOT),
      parseAutocannon,
      stallSec,
      { targetPid: stall.pid },
    );
    const acStats = await getJson(stall.url + "__stats");
    d.stall = {
      rate,
      durationSec: stallSec,
      periodMs: 5000,
      stallMs: 1000,
      loadline: l.outcome,
      loadlineStalls: lStats?.stalls,
      wrk: w.outcome,
      wrkStalls: wStats?.stalls,
      autocannon: ac.outcome,
      autocannonStalls: acStats?.stalls,
    };
  } finally {
    await stall.stop();
  }
  return d;
}

export async function memory(durationSec: number): Promise<MemoryData> {
  const vus = 10_000;
  const delayMs = 5000;
  const dur = Math.max(durationSec, 6);
  const slow = await startTarget(join(BENCH, "targets/slow-server.mjs"), ["--delay-ms", String(delayMs)], TARGET_CPU, dur + 300);
  try {
    const r = await loadline(
      "memory-loadline",
      { url: slow.url, connections: vus, durationSec: dur },
      { sampleRss: true, graceSec: 120, targetPid: slow.pid },
    );
    const stats = await getJson(slow.url + "__stats").catch(() => undefined);
    return { vus, delayMs, durationSec: dur, outcome: r.outcome, peakRssMb: r.raw?.peakRssMb, serverPeakConnections: stats?.peakOpen };
  } finally {
    await slow.stop();
  }
}
