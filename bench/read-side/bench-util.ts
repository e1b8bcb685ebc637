// Small helpers shared by the replay and query benchmarks: arguments, cleanup, CPU accounting
// of this process / Postgres / nats-server, and a CPU profile (node:inspector) summarised by
// where the samples fall (a category per sample, from its stack).

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import os from "node:os";
import { parsePidStat, parseProcStat } from "../lib/cpu.ts";
import { fmt, markdownTable } from "../lib/table.ts";

export const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

/** `--name value` and bare `--flag` options; numbers are checked by the caller. */
export function parseFlags(argv: string[], known: Record<string, "number" | "flag" | "string">): Record<string, number | boolean | string> {
  const out: Record<string, number | boolean | string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.replace(/^--/, "");
    const kind = a.startsWith("--") ? known[name] : undefined;
    if (!kind)
      throw new Error(
        `unknown option ${a} (known: ${Object.keys(known)
          .map((k) => `--${k}`)
          .join(", ")})`,
      );
    if (kind === "flag") {
      out[name] = true;
      continue;
    }
    const v = argv[++i];
    if (v === undefined) throw new Error(`${a} needs a value`);
    if (kind === "number") {
      const n = Number(v.replace(/_/g, ""));
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${a}: a positive number`);
      out[name] = n;
    } else out[name] = v;
  }
  return out;
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} (after ${ms / 1000} s)`)), ms);
    }),
  ]);
}

/** Cleanups run in reverse order, each bounded in time; a failing one is logged and passed. */
export class Cleanups {
  private readonly list: { what: string; run: () => Promise<unknown> }[] = [];
  private done = false;
  add(what: string, run: () => Promise<unknown>): void {
    this.list.push({ what, run });
  }
  async runAll(logFn: (m: string) => void): Promise<void> {
    if (this.done) return;
    this.done = true;
    for (const c of this.list.reverse()) {
      await withTimeout(c.run(), 60_000, "timed out").catch((err: unknown) => logFn(`cleaning up ${c.what}: ${(err as Error).message}`));
    }
  }
}

/**
 * A section's body, never throwing: a failure is logged and kept in `data.failure` (the table
 * then says "not available" with it), the cleanups always run, and the load average is noted after.
 */
export async function section<D extends { failure?: string; loadAverageAfter: string }>(
  data: D,
  say: (m: string) => void,
  cleanups: Cleanups,
  body: () => Promise<void>,
): Promise<D> {
  try {
    await body();
  } catch (err) {
    say(`FAILED ${(err as Error).stack ?? err}`);
    data.failure = (err as Error).message;
  } finally {
    await cleanups.runAll(say);
  }
  data.loadAverageAfter = loadAverage();
  return data;
}

/** Runs `main` as a standalone script: stdout gets the table, a signal still cleans up. */
export function runStandalone(main: (cleanups: Cleanups) => Promise<string>): void {
  const cleanups = new Cleanups();
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    log(`${sig}: cleaning up`);
    void cleanups.runAll(log).finally(() => process.exit(130));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  // A library throwing from a callback (say, a socket ended under a pool) must not leave streams and databases behind.
  process.on("uncaughtException", (err) => {
    log(`uncaught: ${err.stack ?? err}`);
    if (stopping) return;
    stopping = true;
    void cleanups.runAll(log).finally(() => process.exit(2));
  });
  main(cleanups).then(
    (md) => {
      process.stdout.write(md + "\n");
      process.exit(0);
    },
    (err: unknown) => {
      log(`error: ${(err as Error).stack ?? err}`);
      void cleanups.runAll(log).finally(() => process.exit(2));
    },
  );
}

export const loadAverage = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");

export function machineLine(): string {
  return `${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), node ${process.version}; load average (1, 5, 15 min) ${loadAverage()}`;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
}

// --- CPU of this process, Postgres and nats-server

type CpuSnapshot = { atMs: number; systemBusy: number; self: number; byComm: Record<string, Map<number, number>> };
const WATCHED = ["postgres", "nats-server"];
const TICKS_PER_SEC = 100; // USER_HZ

/** comm of each pid seen (null: not watched), so that a snapshot reads /proc/<pid>/comm once per process. */
const commOf = new Map<number, string | null>();

export function cpuSnapshot(): CpuSnapshot {
  const byComm: Record<string, Map<number, number>> = Object.fromEntries(WATCHED.map((c) => [c, new Map<number, number>()]));
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    try {
      let comm = commOf.get(pid);
      if (comm === undefined) {
        const c = readFileSync(`/proc/${name}/comm`, "utf8").trim();
        comm = WATCHED.includes(c) ? c : null;
        commOf.set(pid, comm);
      }
      if (comm) byComm[comm]!.set(pid, parsePidStat(readFileSync(`/proc/${name}/stat`, "utf8")));
    } catch {
      /* ended meanwhile */
    }
  }
  let self = 0;
  let systemBusy = 0;
  try {
    self = parsePidStat(readFileSync(`/proc/${process.pid}/stat`, "utf8"));
    systemBusy = parseProcStat(readFileSync("/proc/stat", "utf8")).get("cpu")?.busy ?? 0;
  } catch {
    /* not Linux */
  }
  return { atMs: Date.now(), systemBusy, self, byComm };
}

/** % of one core used by each over the interval. Postgres backends that ended meanwhile are lost (pools keep theirs). */
export type CpuUse = { nodePct: number; postgresPct: number; natsPct: number; othersPct: number };

export function cpuUse(a: CpuSnapshot, b: CpuSnapshot): CpuUse {
  const wall = ((b.atMs - a.atMs) / 1000) * TICKS_PER_SEC;
  const pct = (t: number) => (wall > 0 ? Math.round((100 * t) / wall) : 0);
  const used = (comm: string) => [...b.byComm[comm]!].reduce((s, [pid, t]) => s + t - (a.byComm[comm]!.get(pid) ?? 0), 0);
  const pg = used("postgres");
  const nats = used("nats-server");
  const self = b.self - a.self;
  return {
    nodePct: pct(self),
    postgresPct: pct(pg),
    natsPct: pct(nats),
    othersPct: Math.max(0, pct(b.systemBusy - a.systemBusy - self - pg - nats)),
  };
}

/**
 * CPU use over an interval, sampled every `everyMs` so that processes which end meanwhile (the
 * Postgres backends of a pool closed before the end) still count up to their last sample.
 */
export function startCpuSampler(everyMs = 1000): { stop(): CpuUse } {
  const first = cpuSnapshot();
  const lastSeen: Record<string, Map<number, number>> = Object.fromEntries(WATCHED.map((c) => [c, new Map(first.byComm[c])]));
  const take = () => {
    const s = cpuSnapshot();
    for (const c of WATCHED) for (const [pid, t] of s.byComm[c]!) lastSeen[c]!.set(pid, t);
    return s;
  };
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const end = take();
      return cpuUse(first, { ...end, byComm: lastSeen });
    },
  };
}

export const cpuText = (c: CpuUse) =>
  `node ${c.nodePct}%, postgres ${c.postgresPct}%, nats-server ${c.natsPct}%, other processes ${c.othersPct}% (of one core)`;

// --- CPU profile

type ProfileNode = { id: number; callFrame: { functionName: string; url: string }; children?: number[] };
export type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
type Frame = { functionName: string; url: string };

/** Starts the sampling profiler of this thread; stop() answers the profile. */
export async function startProfile(intervalUs = 500): Promise<{ stop(): Promise<CpuProfile> }> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<any>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: intervalUs });
  await post("Profiler.start");
  return {
    async stop() {
      const { profile } = await post("Profiler.stop");
      session.disconnect();
      return profile as CpuProfile;
    },
  };
}

/**
 * Decides a sample's category from its stack, leaf first: `stackRule` sees the whole stack
 * (for phases: "anything under parseEvent"), then `frameRule` the innermost frame it knows.
 */
export type Classifier = { stackRule(stack: readonly Frame[]): string | undefined; frameRule(frame: Frame): string | undefined };

export type ProfileRow = { category: string; ms: number; pct: number };

export function summariseProfile(profile: CpuProfile, classify: Classifier): { totalMs: number; rows: ProfileRow[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const categoryOf = new Map<number, string>();
  const classifyNode = (id: number): string => {
    const cached = categoryOf.get(id);
    if (cached) return cached;
    const leaf = byId.get(id)!.callFrame;
    let cat: string | undefined;
    if (leaf.functionName === "(idle)") cat = "idle (waiting for I/O: Postgres, NATS)";
    else if (leaf.functionName === "(garbage collector)") cat = "garbage collection";
    else if (leaf.functionName === "(program)") cat = "(program: V8/native, unattributed)";
    else {
      const stack: Frame[] = [];
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(byId.get(at)!.callFrame);
      cat = classify.stackRule(stack);
      for (const f of stack) {
        if (cat) break;
        cat = classify.frameRule(f);
      }
      // Node's own code (sockets, streams) counts for the library that called it, when one did.
      if (!cat && stack.some((f) => f.url.startsWith("node:"))) cat = "Node internals (sockets, streams, timers, TextDecoder)";
      cat ??= "other";
    }
    categoryOf.set(id, cat);
    return cat;
  };
  const ms = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const cat = classifyNode(profile.samples[i]!);
    ms.set(cat, (ms.get(cat) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const rows = [...ms].map(([category, v]) => ({ category, ms: v, pct: (100 * v) / totalMs })).sort((a, b) => b.ms - a.ms);
  return { totalMs, rows };
}

/** The library or part of Node a frame belongs to, for frames no phase rule claimed. */
export function libraryOf(f: Frame): string | undefined {
  const u = f.url;
  if (!u) return undefined;
  if (u.includes("/node_modules/postgres/")) return "postgres.js (wire protocol, (de)serialising rows)";
  if (u.includes("/node_modules/drizzle-orm/")) return "drizzle-orm (building SQL, mapping rows)";
  if (u.includes("/node_modules/@nats-io/")) return "NATS client (consume, acks)";
  if (u.includes("/node_modules/zod/")) return "parseEvent (zod: envelope + data)";
  if (u.includes("/node_modules/hdr-histogram-js/")) return "hdr-histogram-js";
  if (u.includes("/node_modules/hono/") || u.includes("/node_modules/@hono/")) return "hono (routing, HTTP adapter)";
  if (u.includes("/node_modules/pino")) return "pino (logging)";
  if (u.includes("/node_modules/tsx/") || u.includes("/node_modules/esbuild/")) return "tsx loader";
  return undefined;
}

export function profileTable(title: string, p: { totalMs: number; rows: ProfileRow[] }, minPct = 0.5): string {
  const shown = p.rows.filter((r) => r.pct >= minPct);
  const rest = p.rows.filter((r) => r.pct < minPct);
  const rows = shown.map((r) => [r.category, fmt(r.ms, 0), fmt(r.pct, 1)]);
  if (rest.length > 0)
    rows.push([
      `(${rest.length} smaller categories)`,
      fmt(
        rest.reduce((s, r) => s + r.ms, 0),
        0,
      ),
      fmt(
        rest.reduce((s, r) => s + r.pct, 0),
        1,
      ),
    ]);
  return [
    `${title} — ${fmt(p.totalMs / 1000, 1)} s of wall time sampled on the main thread`,
    "",
    markdownTable(["where", "ms", "% of wall"], rows, [false, true, true]),
  ].join("\n");
}

export function saveProfile(profile: CpuProfile, name: string): string {
  const path = `${os.tmpdir()}/${name}-${process.pid}.cpuprofile`;
  writeFileSync(path, JSON.stringify(profile));
  return path;
}
