// Section "replay": how fast the read side is rebuilt from the event store (goal: at least
// 50,000 events/s). A namespace and a database of its own; LL_EVENTS is filled with valid
// domain events (load tests and runs going through their life cycles, interleaved), then
// rebuildProjection("events") is timed; optionally the same for LL_METRICS ("metrics").
// Usage: node --import tsx bench/read-side/replay.ts [--events N] [--windows N] [--requests N] [--no-metrics]
//          [--batch-sizes 10000,2000] [--profile]
//   --batch-sizes: rebuildProjection batchSize values timed one after the other on the events
//   stream (the metrics stream gets the first); default 10000, the library's (and the CLI's).
//   --profile: a CPU profile of the first rebuild of each stream, summarised by where the time
//   goes, plus the per-event cost of each step alone (JSON.parse, parseEvent, fold, SQL building).
//
// Here the section and its command line; replay-publish.ts fills the streams (with the history of
// replay-history.ts), replay-profile.ts says where the time goes, replay-table.ts prints the table.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { sleep } from "@loadline/core";
import { connectNats, ensureStreams, type Namespace, type NatsConnection, namespace } from "@loadline/nats";
import { openDatabase, rebuildProjection } from "@loadline/projections";
import { testDatabase } from "@loadline/projections/testing";
import { type JetStreamClient, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { pino } from "pino";
import { fmt } from "../lib/table.ts";
import {
  Cleanups,
  cpuText,
  loadAverage,
  machineLine,
  parseFlags,
  runStandalone,
  saveProfile,
  startCpuSampler,
  startProfile,
  log as stderrLog,
  summariseProfile,
  withTimeout,
} from "./bench-util.ts";
import { REPLAY_DEFAULTS, type ReplayData, type ReplayOutcome, type ReplayResult } from "./replay-data.ts";
import { replayClassifier, stepCosts } from "./replay-profile.ts";
import { type Published, publishDomainEvents, publishWindows } from "./replay-publish.ts";
import { replayTable } from "./replay-table.ts";

export type ReplayOptions = {
  events?: number;
  /** Metric windows for the metrics row; 0 leaves it out. */
  windows?: number;
  requestsPerWindow?: number;
  /** rebuildProjection batchSize values to time, in order; the metrics stream gets the first. */
  batchSizes?: number[];
  /** CPU profile of the first rebuild of each stream, and the cost of each step alone. */
  profile?: boolean;
  natsUrl?: string;
  log?: (msg: string) => void;
  /** Where cleanups are registered, so a signal can run them; one of its own otherwise. */
  cleanups?: Cleanups;
};

type Cfg = { natsUrl: string; profile: boolean };
type Rebuild = { batchSize: number; libraryDefault: boolean; profile: boolean };

/** Runs every rebuild; never throws: a row that cannot run says why. */
export async function runReplayBench(o: ReplayOptions = {}): Promise<ReplayData> {
  const log = o.log ?? stderrLog;
  const events = o.events ?? REPLAY_DEFAULTS.events;
  const windows = o.windows ?? REPLAY_DEFAULTS.windows;
  const requestsPerWindow = o.requestsPerWindow ?? REPLAY_DEFAULTS.requestsPerWindow;
  const batchSizes = o.batchSizes ?? REPLAY_DEFAULTS.batchSizes;
  const cfg: Cfg = { natsUrl: o.natsUrl ?? process.env.NATS_URL ?? "nats://127.0.0.1:4222", profile: o.profile ?? false };
  const data: ReplayData = {
    events,
    windows,
    requestsPerWindow,
    machine: machineLine(),
    loadAverageBefore: loadAverage(),
    loadAverageAfter: "",
    rows: [],
    publish: [],
  };
  // Ours, run at the end; registered with the caller's too, so that a signal meanwhile runs them.
  const cleanups = new Cleanups();
  o.cleanups?.add("replay section", () => cleanups.runAll(log));
  let sample: string[] = [];
  try {
    const eventRebuilds: Rebuild[] = batchSizes.map((batchSize, i) => ({
      batchSize,
      libraryDefault: batchSize === REPLAY_DEFAULTS.libraryBatchSize,
      profile: cfg.profile && i === 0,
    }));
    await phase("events", cfg, log, cleanups, data, eventRebuilds, async (js, ns) => {
      const published = await publishDomainEvents(js, ns, events, log);
      sample = published.sample;
      return published;
    });
    if (windows > 0) {
      const batchSize = batchSizes[0] ?? REPLAY_DEFAULTS.libraryBatchSize;
      await phase(
        "metrics",
        cfg,
        log,
        cleanups,
        data,
        [{ batchSize, libraryDefault: batchSize === REPLAY_DEFAULTS.libraryBatchSize, profile: cfg.profile }],
        (js, ns) => publishWindows(js, ns, windows, requestsPerWindow, log),
      );
    }
    if (cfg.profile && sample.length > 0) data.steps = await stepCosts(sample, log);
  } finally {
    await cleanups.runAll(log);
  }
  data.loadAverageAfter = loadAverage();
  return data;
}

/** One stream filled once, then rebuilt once per entry of `rebuilds`, into the same database. */
async function phase(
  name: "events" | "metrics",
  cfg: Cfg,
  log: (m: string) => void,
  parent: Cleanups,
  data: ReplayData,
  rebuilds: Rebuild[],
  fill: (js: JetStreamClient, ns: Namespace) => Promise<Published>,
): Promise<void> {
  const say = (m: string) => log(`replay ${name}: ${m}`);
  const stream = name === "events" ? "LL_EVENTS" : "LL_METRICS";
  const cleanups = new Cleanups();
  parent.add(`replay ${name}`, () => cleanups.runAll(say)); // a signal mid-phase still cleans up
  let published: Published | undefined;
  try {
    const ns = namespace(`bench${randomBytes(5).toString("hex")}`);
    const nc: NatsConnection = await withTimeout(connectNats(cfg.natsUrl, `bench-replay-${name}`), 10_000, `no NATS at ${cfg.natsUrl}`);
    cleanups.add("NATS connection", () => nc.drain());
    const jsm = await jetstreamManager(nc);
    cleanups.add(`streams of ${ns.prefix}`, () =>
      Promise.all(Object.values(ns.streams).map((s) => jsm.streams.delete(s).catch(() => false))),
    );
    await ensureStreams(jsm, ns, { metricsMaxAgeMs: 24 * 3600_000, replicas: 1 });
    const db = await testDatabase();
    cleanups.add(`database ${db.name}`, () => db.drop());
    say(`namespace ${ns.prefix}, database ${db.name}`);

    published = await fill(jetstream(nc), ns);
    data.publish.push({
      stream,
      outcome: {
        ok: true,
        result: { messages: published.messages, bytes: published.bytes, seconds: published.seconds, perSec: published.perSec },
      },
    });
    say(
      `published ${fmt(published.messages, 0)} messages (${fmt(published.bytes / 2 ** 20, 0)} MiB) in ${fmt(published.seconds, 1)} s: ${fmt(published.perSec, 0)}/s`,
    );

    // rebuildProjection needs the live tables: opening the database migrates it.
    await (await openDatabase({ url: db.url, poolSize: 1 })).close();
    for (const r of rebuilds) {
      await sleep(2000); // let NATS and Postgres write out what came before
      const outcome = await rebuildOnce(name, r, cfg, ns, db.url, published, say).catch((err: unknown): ReplayOutcome => {
        say(`FAILED ${(err as Error).stack ?? err}`);
        return { ok: false, reason: (err as Error).message };
      });
      data.rows.push({ projection: name, batchSize: r.batchSize, libraryDefault: r.libraryDefault, outcome });
    }
  } catch (err) {
    say(`FAILED ${(err as Error).stack ?? err}`);
    const reason = (err as Error).message;
    if (!published) data.publish.push({ stream, outcome: { ok: false, reason } });
    for (const r of rebuilds.slice(data.rows.filter((x) => x.projection === name).length)) {
      data.rows.push({ projection: name, batchSize: r.batchSize, libraryDefault: r.libraryDefault, outcome: { ok: false, reason } });
    }
  } finally {
    await cleanups.runAll(say);
  }
}

/** One timed rebuildProjection, in this process. */
async function rebuildOnce(
  name: "events" | "metrics",
  r: Rebuild,
  cfg: Cfg,
  ns: Namespace,
  url: string,
  published: Published,
  say: (m: string) => void,
): Promise<ReplayOutcome> {
  const nc = await connectNats(cfg.natsUrl, `bench-replay-rebuild-${name}`);
  try {
    const logger = pino({ name: "bench-replay", level: process.env.LOG_LEVEL ?? "warn" }, pino.destination(2));
    const progress: { atMs: number; position: number }[] = [];
    say(`rebuild with batchSize ${r.batchSize}${r.libraryDefault ? " (the library default)" : ""}`);
    const profiler = r.profile ? await startProfile() : null;
    const sampler = startCpuSampler();
    const elu0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    let lastLog = t0;
    const result = await rebuildProjection({
      url,
      nc,
      ns,
      log: logger,
      name,
      batchSize: r.batchSize,
      onProgress: (p) => {
        const now = performance.now();
        progress.push({ atMs: now, position: p.position });
        if (now - lastLog >= 10_000) {
          lastLog = now;
          say(`rebuild at ${fmt(p.position, 0)} of ${fmt(p.target, 0)}`);
        }
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    const elu = performance.eventLoopUtilization(elu0).utilization;
    const cpu = sampler.stop();
    const profile = profiler ? await profiler.stop() : null;
    const first = progress[0];
    const endMs = t0 + seconds * 1000;
    const steadyPerSec =
      first && result.position > first.position && endMs > first.atMs
        ? (result.position - first.position) / ((endMs - first.atMs) / 1000)
        : undefined;
    say(
      `rebuilt ${fmt(result.applied, 0)} in ${fmt(seconds, 1)} s (${fmt(result.applied / seconds, 0)}/s); ${cpuText(cpu)}; main thread busy ${Math.round(100 * elu)}%`,
    );
    const check = await published.verify(url);
    say(`check: ${check.text}`);
    const out: ReplayResult = {
      applied: result.applied,
      seconds,
      perSec: result.applied / seconds,
      steadyPerSec,
      requestRowsPerSec: published.requestsPerWindow ? (result.applied * published.requestsPerWindow) / seconds : undefined,
      cpu,
      elu,
      check: check.text,
      checkOk: check.ok,
    };
    if (profile) {
      const file = saveProfile(profile, `replay-${name}`);
      out.profile = { ...summariseProfile(profile, replayClassifier), file };
      say(`CPU profile in ${file}`);
    }
    return { ok: true, result: out };
  } finally {
    await nc.drain().catch(() => undefined);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runStandalone(async (cleanups) => {
    const f = parseFlags(process.argv.slice(2), {
      events: "number",
      windows: "number",
      requests: "number",
      "batch-sizes": "string",
      "no-metrics": "flag",
      profile: "flag",
    });
    const batchSizes = typeof f["batch-sizes"] === "string" ? f["batch-sizes"].split(",").map((s) => Number(s.trim())) : undefined;
    if (batchSizes?.some((b) => !Number.isInteger(b) || b < 1)) throw new Error("--batch-sizes: whole numbers, comma-separated");
    const data = await runReplayBench({
      events: f.events as number | undefined,
      windows: f["no-metrics"] ? 0 : (f.windows as number | undefined),
      requestsPerWindow: f.requests as number | undefined,
      batchSizes,
      profile: Boolean(f.profile),
      cleanups,
    });
    return replayTable(data);
  });
}
