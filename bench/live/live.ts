// Section "live": the live push (SSE, GET /v1/runs/{id}/live) under many clients of one run.
// The real all-in-one stack (startStack: projections, orchestrator, a worker, the demo target and
// the API) runs in a process of its own pinned to core 0 (live-stack.ts), over the NATS and
// Postgres on 127.0.0.1, in a namespace and a database of its own; this process (pinned to core 1
// for the section) starts a run against the demo target and opens N SSE clients on it (undici, a
// connection each, the admin key as Bearer). A thread (checkpoint-poller.mjs) reads the
// projections' checkpoints every 10 ms and notes when the metrics checkpoint first reached each
// position; a `second` message's lag = when a client took it off the stream − when the checkpoint
// first covered the metrics sequence of its id. Rows: N = 1, 100, 1000 reading clients; then 100
// reading clients beside 200 that open the stream and never read it.
// Usage: node --import tsx bench/live/live.ts [--clients 1,100,1000] [--duration S] [--stalled N]
//          [--stalled-with N] [--users N] [--endpoints N] [--stalled-duration S] [--stalled-endpoints N] [--no-stalled]
//
// Here the section; live-stack.ts is the stack's process, live-clients.ts the clients,
// checkpoint-poller.mjs the checkpoint thread, live-table.ts the table.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { setMaxListeners } from "node:events";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { sleep } from "@loadline/core";
import { LoadlineClient } from "loadline";
import postgres from "postgres";
import { benchNamespace } from "../lib/bench-nats.ts";
import { parsePidStat } from "../lib/cpu.ts";
import { treeMemory } from "../lib/rss.ts";
import { RAW, RESULTS, ROOT } from "../measure.ts";
import {
  Cleanups,
  loadAverage,
  machineLine,
  parseFlags,
  percentile,
  runStandalone,
  section,
  log as stderrLog,
  withTimeout,
} from "../read-side/bench-util.ts";
import { type ClientLog, nowMs, readingClient, type StalledClient, stalledClient, streamAgent } from "./live-clients.ts";
import { LIVE_DEFAULTS, type LiveData, type LiveOptions, type LiveRow } from "./live-data.ts";
import { liveTable } from "./live-table.ts";

const PG_ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const TICKS_PER_SEC = 100; // USER_HZ

type StackInfo = { apiUrl: string; adminKey: string; databaseUrl: string; targetUrl: string; pid: number };

/** The stack's process on core 0; resolves once it printed where it answers. */
async function startStackProcess(
  natsUrl: string,
  ns: string,
  databaseUrl: string,
  say: (m: string) => void,
): Promise<{ info: StackInfo; stop(): Promise<void>; output(): string }> {
  const script = join(ROOT, "bench/live/live-stack.ts");
  const argv = [process.execPath, "--import", "tsx", script, natsUrl, ns, databaseUrl];
  const pinned = hasTaskset();
  const child: ChildProcess = spawn(pinned ? "taskset" : argv[0]!, pinned ? ["-c", "0", ...argv] : argv.slice(1), {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  child.stderr!.on("data", (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  });
  let exited = false;
  const closed = new Promise<void>((r) =>
    child.once("close", () => {
      exited = true;
      r();
    }),
  );
  const stop = async () => {
    if (exited) return;
    child.kill("SIGTERM");
    const t = setTimeout(() => child.kill("SIGKILL"), 12_000);
    await closed;
    clearTimeout(t);
  };
  try {
    const info = await withTimeout(
      new Promise<StackInfo>((resolve, reject) => {
        child.once("error", reject);
        child.once("close", (code) => reject(new Error(`the stack exited (${code}) before it answered: ${output.slice(-2000)}`)));
        createInterface({ input: child.stdout! }).once("line", (line) => resolve(JSON.parse(line) as StackInfo));
      }),
      90_000,
      "the stack did not start",
    );
    say(`stack up: API ${info.apiUrl}, pid ${info.pid}${pinned ? " (core 0)" : ""}`);
    return { info, stop, output: () => output };
  } catch (err) {
    await stop();
    throw err;
  }
}

let tasksetChecked: boolean | undefined;
function hasTaskset(): boolean {
  if (tasksetChecked === undefined) {
    try {
      execFileSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" });
      tasksetChecked = true;
    } catch {
      tasksetChecked = false;
    }
  }
  return tasksetChecked;
}

/** Pins every thread of this process to `cpu`; answers how to undo it. */
function pinSelf(cpu: number): (() => void) | undefined {
  if (!hasTaskset()) return undefined;
  const before = /:\s*([0-9a-f]+)\s*$/i.exec(execFileSync("taskset", ["-p", String(process.pid)], { encoding: "utf8" }))?.[1];
  execFileSync("taskset", ["-a", "-p", "-c", String(cpu), String(process.pid)], { stdio: "ignore" });
  return () => {
    if (before) execFileSync("taskset", ["-a", "-p", before, String(process.pid)], { stdio: "ignore" });
  };
}

/** The checkpoint thread: when each metrics position was first seen. */
function startPoller(databaseUrl: string, everyMs: number) {
  const metrics: { position: number; at: number }[] = [];
  let latest = 0;
  let lastError: string | undefined;
  const worker = new Worker(new URL("./checkpoint-poller.mjs", import.meta.url), { workerData: { databaseUrl, everyMs } });
  let stats = { polls: 0, slowestMs: 0 };
  const stopped = new Promise<void>((resolve) => {
    worker.on(
      "message",
      (m: {
        type: string;
        changes?: { name: string; position: number; at: number }[];
        message?: string;
        polls?: number;
        slowestMs?: number;
      }) => {
        if (m.type === "changes")
          for (const c of m.changes!)
            if (c.name === "metrics") {
              metrics.push({ position: c.position, at: c.at });
              latest = c.position;
            }
        if (m.type === "error") lastError = m.message;
        if (m.type === "stopped") {
          stats = { polls: m.polls!, slowestMs: m.slowestMs! };
          resolve();
        }
      },
    );
    worker.once("exit", () => resolve());
  });
  return {
    /** When the metrics checkpoint first covered `seq` (epoch ms), undefined when it has not yet. */
    coveredAt(seq: number): number | undefined {
      // Positions only grow: the first at or above seq.
      let lo = 0;
      let hi = metrics.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (metrics[mid]!.position >= seq) hi = mid;
        else lo = mid + 1;
      }
      return metrics[lo]?.at;
    },
    latest: () => latest,
    lastError: () => lastError,
    stats: () => stats,
    async stop() {
      worker.postMessage("stop");
      await withTimeout(stopped, 5_000, "checkpoint thread did not stop").catch(() => worker.terminate());
      await worker.terminate();
    },
  };
}

type Poller = ReturnType<typeof startPoller>;

function apiCpuTicks(pid: number): number {
  try {
    return parsePidStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return Number.NaN;
  }
}
const rssMb = (pid: number) => (treeMemory(pid)?.rssKb ?? Number.NaN) / 1024;

/** One row: a run, `n` reading clients (and `stalledN` stalled ones) on it from its start to its end. */
async function runRow(
  ctx: { api: LoadlineClient; info: StackInfo; poller: Poller; streamHead: () => Promise<number>; cfg: typeof LIVE_DEFAULTS },
  test: { id: string; durationSec: number; endpoints: number },
  n: number,
  stalledN: number,
  say: (m: string) => void,
): Promise<LiveRow> {
  const { api, info, poller, cfg } = ctx;
  const rssBefore = rssMb(info.pid);
  const run = await api.startRun(test.id);
  const runSpec = `${test.durationSec} s × ${test.endpoints} names`;
  const url = `${info.apiUrl}/v1/runs/${run.id}/live`;
  say(`run ${run.id}: ${stalledN > 0 ? `${stalledN} stalled clients, then ` : ""}${n} reading clients`);

  // Sampled while the row runs: the API's RSS, and the projection's backlog.
  let rssPeak = rssBefore;
  let backlogMax = 0;
  let sampling = true;
  const sampler = (async () => {
    for (let i = 0; sampling && i < 10_000; i++) {
      rssPeak = Math.max(rssPeak, rssMb(info.pid));
      const head = await ctx.streamHead().catch(() => Number.NaN);
      if (Number.isFinite(head)) backlogMax = Math.max(backlogMax, head - poller.latest());
      await sleep(200);
    }
  })();

  const cpu0 = apiCpuTicks(info.pid);
  const self0 = process.cpuUsage();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const t0 = nowMs();
  const stalledAgent = streamAgent();
  const agent = streamAgent();
  let stalled: StalledClient[] = [];
  try {
    stalled = await Promise.all(Array.from({ length: stalledN }, () => stalledClient(url, info.adminKey, stalledAgent)));
    const abort = new AbortController();
    setMaxListeners(n + 10, abort.signal); // one listener per client's request
    const deadline = setTimeout(() => abort.abort(), (test.durationSec + 120) * 1000);
    let opened = 0;
    let lastOpenAt = t0;
    const logs: ClientLog[] = await Promise.all(
      Array.from({ length: n }, () =>
        readingClient(url, info.adminKey, agent, abort.signal, () => {
          opened++;
          lastOpenAt = nowMs();
          if (opened === n) say(`${n} streams open in ${Math.round(lastOpenAt - t0)} ms`);
        }),
      ),
    );
    clearTimeout(deadline);
    const endAt = nowMs();
    // Every client served: its first message came (what the server read for it on opening, the run's state first).
    const lastReadyAt = Math.max(...logs.map((c) => (Number.isNaN(c.firstEventAt) ? -Infinity : c.firstEventAt)));
    const cpu1 = apiCpuTicks(info.pid);
    const self1 = process.cpuUsage(self0);
    loopDelay.disable();
    const backlogEnd = (await ctx.streamHead()) - poller.latest();
    sampling = false;
    await sampler;
    const stalledEndedByServer = stalled.filter((s) => s.endedByServer).length;
    const stalledOpened = stalled.filter((s) => s.opened).length;
    for (const s of stalled) s.close();
    await sleep(2_000);
    const rssAfter = rssMb(info.pid);

    // The read model's final seconds: a fresh client's replay of the finished run.
    const reference = await readingClient(url, info.adminKey, agent, AbortSignal.timeout(60_000), () => undefined);
    if (!reference.gotEnd) throw new Error(`the replay of run ${run.id} did not end: ${reference.error ?? "?"}`);
    const final = await api.run(run.id);
    if (final.status !== "Completed" || reference.held.size === 0)
      throw new Error(
        `run ${run.id} ended ${final.status} with ${reference.held.size} seconds of metrics: ${JSON.stringify(final).slice(0, 300)}`,
      );

    const lags: number[] = [];
    /** Of the messages committed once every stream was open: the clients all there at once. */
    const steady: number[] = [];
    let catchUp = 0;
    let missed = 0;
    const errors = new Set<string>();
    for (const c of logs) {
      for (let i = 0; i < c.seqs.length; i++) {
        const covered = poller.coveredAt(c.seqs[i]!);
        if (covered === undefined || covered < c.openedAt) catchUp++;
        else {
          lags.push(c.receivedAt[i]! - covered);
          if (covered >= lastReadyAt) steady.push(c.receivedAt[i]! - covered);
        }
      }
      const same = c.held.size === reference.held.size && [...reference.held].every(([s, h]) => c.held.get(s) === h);
      if (!same || !c.gotEnd) missed++;
      if (c.error) errors.add(c.error);
    }
    // Where the lag sits in time: p99 per 2 s of commit time, from the first request (to the log only).
    const buckets = new Map<number, number[]>();
    for (const c of logs)
      for (let i = 0; i < c.seqs.length; i++) {
        const covered = poller.coveredAt(c.seqs[i]!);
        if (covered === undefined || covered < c.openedAt) continue;
        const b = Math.floor((covered - t0) / 2000) * 2;
        const list = buckets.get(b) ?? [];
        list.push(c.receivedAt[i]! - covered);
        buckets.set(b, list);
      }
    say(
      `lag p99 by commit time (s from the first request): ${[...buckets]
        .sort((a, b) => a[0] - b[0])
        .map(
          ([b, l]) =>
            `${b}s ${percentile(
              l.sort((x, y) => x - y),
              99,
            ).toFixed(0)}`,
        )
        .join(", ")}`,
    );
    lags.sort((a, b) => a - b);
    steady.sort((a, b) => a - b);
    const okOpened = logs.filter((c) => !Number.isNaN(c.openedAt) && !c.error?.startsWith("HTTP")).length;
    const row: LiveRow = {
      clients: n,
      stalled: stalledN,
      runId: run.id,
      runSpec,
      opened: okOpened,
      openMs: lastOpenAt - t0,
      readyMs: lastReadyAt - t0,
      messages: logs.reduce((s, c) => s + c.seqs.length, 0),
      kibPerClient: logs.reduce((s, c) => s + c.bytes, 0) / 1024 / Math.max(1, logs.length),
      seconds: reference.held.size,
      missed,
      noEnd: logs.filter((c) => !c.gotEnd).length,
      repeats: logs.reduce((s, c) => s + c.repeats, 0),
      errors: [...errors].slice(0, 3),
      timed: lags.length,
      catchUp,
      lagP50: percentile(lags, 50),
      lagP99: percentile(lags, 99),
      lagMax: lags.at(-1) ?? Number.NaN,
      steadyTimed: steady.length,
      steadyP50: percentile(steady, 50),
      steadyP99: percentile(steady, 99),
      steadyMax: steady.at(-1) ?? Number.NaN,
      harnessCpuPct: (100 * (self1.user + self1.system)) / 1000 / (endAt - t0),
      harnessLoopDelayP99: loopDelay.percentile(99) / 1e6,
      apiCpuPct: (100 * (cpu1 - cpu0)) / TICKS_PER_SEC / ((endAt - t0) / 1000),
      apiRssBeforeMb: rssBefore,
      apiRssPeakMb: rssPeak,
      apiRssAfterMb: rssAfter,
      backlogMax,
      backlogEnd,
      stalledEndedByServer,
      stalledOpened,
      goal: "",
      met: undefined,
    };
    // Judged once every client got its first message (all there at once); the whole row's figures, the opening burst in them, stand beside.
    const lagOk = steady.length > 0 && row.steadyP99 < cfg.goalMs && missed === 0;
    if (stalledN > 0) {
      row.goal = `readers' lag p99 < ${cfg.goalMs / 1000} s once all served, none missing; backlog 0 at the end`;
      row.met = lagOk && backlogEnd === 0;
    } else if (n === Math.max(...cfg.clients)) {
      row.goal = `p99 < ${cfg.goalMs / 1000} s once all served, none missing`;
      row.met = lagOk;
    } else row.goal = "informative";
    say(
      `${n}${stalledN ? ` (+${stalledN} stalled)` : ""}: ${row.messages} messages, missed ${missed}, lag p50 ${row.lagP50.toFixed(0)} p99 ${row.lagP99.toFixed(0)} max ${row.lagMax.toFixed(0)} ms (all served, after ${(row.readyMs / 1000).toFixed(1)} s: p99 ${row.steadyP99.toFixed(0)}), ` +
        `harness CPU ${row.harnessCpuPct.toFixed(0)}% loop delay p99 ${row.harnessLoopDelayP99.toFixed(0)} ms, ` +
        `API CPU ${row.apiCpuPct.toFixed(0)}%, RSS ${rssBefore.toFixed(0)} → ${rssPeak.toFixed(0)} → ${rssAfter.toFixed(0)} MB, backlog max ${backlogMax} end ${backlogEnd}`,
    );
    return row;
  } finally {
    sampling = false;
    for (const s of stalled) s.close();
    await Promise.all([agent.destroy().catch(() => undefined), stalledAgent.destroy().catch(() => undefined)]);
  }
}

export async function runLiveBench(o: LiveOptions = {}): Promise<LiveData> {
  const log = o.log ?? stderrLog;
  const say = (m: string) => log(`live: ${m}`);
  const cfg = {
    ...LIVE_DEFAULTS,
    ...Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k in LIVE_DEFAULTS)),
  } as typeof LIVE_DEFAULTS;
  const noStalled = o.noStalled === true;
  const data: LiveData = {
    machine: machineLine(),
    loadAverageBefore: loadAverage(),
    loadAverageAfter: "",
    options: { ...cfg, noStalled },
    pinned: "",
    spec: "",
    rows: [],
    checkpointPolls: 0,
    checkpointSlowestMs: Number.NaN,
  };
  const cleanups = new Cleanups();
  o.cleanups?.add("live section", () => cleanups.runAll(say));
  const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
  const out = await section(data, say, cleanups, async () => {
    const unpin = pinSelf(1);
    if (unpin) cleanups.add("this process's CPU affinity", async () => unpin());
    data.pinned = unpin
      ? "the stack (API, projections, orchestrator, worker, demo target) on core 0, the clients and the checkpoint thread on core 1; NATS and Postgres unpinned"
      : "not pinned (no taskset)";

    // A namespace and a database of the section's own, deleted at the end whatever happens.
    const { ns, jsm } = await benchNamespace(natsUrl, "bench-live", cleanups);
    const dbName = `ll_bench_${randomBytes(5).toString("hex")}`;
    const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => undefined });
    cleanups.add("Postgres admin connection", () => admin.end({ timeout: 5 }));
    await withTimeout(admin.unsafe(`create database ${dbName}`), 10_000, `no Postgres at ${PG_ADMIN_URL}`);
    cleanups.add(`database ${dbName}`, () => admin.unsafe(`drop database if exists ${dbName} with (force)`));
    const dbUrl = new URL(PG_ADMIN_URL);
    dbUrl.pathname = `/${dbName}`;

    const stack = await startStackProcess(natsUrl, ns.prefix, dbUrl.toString(), say);
    cleanups.add("the stack's process", async () => {
      await stack.stop();
      if (process.env.LIVE_STACK_LOG) process.stderr.write(stack.output());
    });
    const { info } = stack;
    const poller = startPoller(info.databaseUrl, cfg.pollMs);
    cleanups.add("checkpoint thread", async () => {
      await poller.stop();
      data.checkpointPolls = poller.stats().polls;
      data.checkpointSlowestMs = poller.stats().slowestMs;
    });
    const streamHead = async () => (await jsm.streams.info(ns.streams.metrics)).state.last_seq;

    const api = new LoadlineClient(info.apiUrl, info.adminKey);
    // Ready: the worker registered, the projections running (a run started before would find no worker).
    for (let i = 0; ; i++) {
      const res = await fetch(`${info.apiUrl}/readyz`).catch(() => undefined);
      await res?.body?.cancel();
      if (res?.status === 200) break;
      if (i >= 300) throw new Error(`the stack is not ready after 60 s: /readyz ${res?.status ?? "no answer"}`);
      await sleep(200);
    }
    await sleep(2_000); // the orchestrator hears the worker's heartbeat
    const loadTest = async (endpoints: number, durationSec: number) => {
      const requests = Array.from({ length: endpoints }, (_, i) => ({
        name: `e${String(i + 1).padStart(2, "0")}`,
        method: "GET",
        path: "/fixed?ms=5",
      }));
      const spec = {
        name: `bench live ${endpoints}`,
        targetUrl: info.targetUrl,
        requests,
        defaultUsers: cfg.users,
        defaultSpawnRate: 100,
        defaultDurationSec: durationSec,
      };
      return { id: (await api.createLoadTest(spec as never)).id, durationSec, endpoints };
    };
    const test = await loadTest(cfg.endpoints, cfg.durationSec);
    const stalledTest =
      cfg.stalledEndpoints === cfg.endpoints && cfg.stalledDurationSec === cfg.durationSec
        ? test
        : await loadTest(cfg.stalledEndpoints, cfg.stalledDurationSec);
    data.spec =
      `each row a run of ${cfg.users} VUs for ${cfg.durationSec} s on ${cfg.endpoints} request names (GET /fixed?ms=5 of the demo target)` +
      (stalledTest === test || noStalled ? "" : `; the stalled row's run: ${cfg.stalledDurationSec} s on ${cfg.stalledEndpoints} names`);
    const ctx = { api, info, poller, streamHead, cfg };

    const rows: [number, number, typeof test][] = cfg.clients.map((n) => [n, 0, test]);
    // The stalled row, after the same run without stalled clients when its run differs (the RSS and CPU to compare with).
    if (!noStalled && stalledTest !== test) rows.push([cfg.stalledWith, 0, stalledTest]);
    if (!noStalled) rows.push([cfg.stalledWith, cfg.stalled, stalledTest]);
    for (const [n, stalledN, t] of rows) {
      const row = await runRow(ctx, t, n, stalledN, say);
      if (t !== test && stalledN === 0) {
        row.goal = "the stalled row's run without them: to compare";
        row.met = undefined;
      }
      data.rows.push(row);
      if (poller.lastError()) say(`checkpoint thread: ${poller.lastError()}`);
      await sleep(2_000); // the previous run's feed let go
    }
  });
  const md = liveTable(out);
  try {
    writeFileSync(join(RESULTS, "live.md"), `${md}\n`);
    mkdirSync(RAW, { recursive: true });
    writeFileSync(join(RAW, "live.json"), `${JSON.stringify(out, null, 2)}\n`);
  } catch (err) {
    say(`could not write bench/results/live.md: ${(err as Error).message}`);
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runStandalone(async (cleanups) => {
    const f = parseFlags(process.argv.slice(2), {
      clients: "string",
      duration: "number",
      stalled: "number",
      "stalled-with": "number",
      users: "number",
      endpoints: "number",
      "stalled-duration": "number",
      "stalled-endpoints": "number",
      "no-stalled": "flag",
    });
    const clients =
      typeof f.clients === "string"
        ? f.clients.split(",").map((s) => {
            const v = Number(s.replace(/_/g, ""));
            if (!Number.isInteger(v) || v < 1 || v > 10_000) throw new Error("--clients: a comma list of whole numbers, 1..10000");
            return v;
          })
        : undefined;
    const data = await runLiveBench({
      clients,
      durationSec: f.duration as number | undefined,
      stalled: f.stalled as number | undefined,
      stalledWith: f["stalled-with"] as number | undefined,
      users: f.users as number | undefined,
      endpoints: f.endpoints as number | undefined,
      stalledDurationSec: f["stalled-duration"] as number | undefined,
      stalledEndpoints: f["stalled-endpoints"] as number | undefined,
      noStalled: f["no-stalled"] === true,
      cleanups,
    });
    return liveTable(data);
  });
}
