// Runs one benchmark process pinned to a core, bounded in time, and remembers every child
// it started so that an interrupted run leaves nothing behind.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { startRssSampler } from "./rss.ts";

const live = new Set<ChildProcess>();

export function killAll(): void {
  for (const c of live) {
    try {
      c.kill("SIGKILL");
    } catch {
      /* gone */
    }
  }
}
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}
process.on("exit", killAll);

export type RunOptions = {
  cmd: string;
  args: string[];
  cwd?: string;
  /** Core to pin to with taskset (taskset execs the command: the pid is the command's). */
  cpu?: number;
  timeoutMs: number;
  sampleRss?: boolean;
};

export type RunOutcome = {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  wallMs: number;
  peakRssMb?: number;
  rssSamples?: number;
  spawnError?: string;
};

function pinned(o: { cmd: string; args: string[]; cpu?: number }): [string, string[]] {
  return o.cpu === undefined ? [o.cmd, o.args] : ["taskset", ["-c", String(o.cpu), o.cmd, ...o.args]];
}

export function run(o: RunOptions): Promise<RunOutcome> {
  const [cmd, args] = pinned(o);
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: o.cwd, stdio: ["ignore", "pipe", "pipe"] });
    live.add(child);
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let spawnError: string | undefined;
    child.stdout!.on("data", (d) => {
      stdout += d;
    });
    child.stderr!.on("data", (d) => {
      stderr += d;
      if (stderr.length > 2_000_000) stderr = stderr.slice(-1_000_000);
    });
    const sampler = o.sampleRss && child.pid ? startRssSampler(child.pid) : undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 3000).unref();
    }, o.timeoutMs);
    child.on("error", (e) => {
      spawnError = e.message;
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      const rss = sampler?.stop();
      resolve({
        stdout,
        stderr,
        code,
        signal,
        timedOut,
        spawnError,
        wallMs: performance.now() - started,
        peakRssMb: rss?.peakMb,
        rssSamples: rss?.samples,
      });
    });
  });
}

export type Service = { port: number; url: string; stop: () => Promise<void>; pid: number };

/** Starts a target that prints `{"port":N}` as its first stdout line; bounded by `maxSeconds`. */
export function startTarget(script: string, args: string[], cpu: number, maxSeconds: number): Promise<Service> {
  const [cmd, argv] = pinned({ cmd: process.execPath, args: [script, ...args, "--max-seconds", String(maxSeconds)], cpu });
  const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "inherit"] });
  live.add(child);
  const closed = new Promise<void>((r) =>
    child.on("close", () => {
      live.delete(child);
      r();
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} did not start`));
    }, 10_000);
    child.on("error", reject);
    child.on("close", () => reject(new Error(`${script} exited before announcing its port`)));
    createInterface({ input: child.stdout! }).once("line", (line) => {
      clearTimeout(timer);
      const { port } = JSON.parse(line) as { port: number };
      resolve({
        port,
        pid: child.pid!,
        url: `http://127.0.0.1:${port}/`,
        stop: async () => {
          child.kill("SIGTERM");
          const t = setTimeout(() => child.kill("SIGKILL"), 3000);
          await closed;
          clearTimeout(t);
        },
      });
    });
  });
}

export type ServiceOptions = {
  cmd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Core to pin to with taskset. */
  cpu?: number;
  /** Polled until it answers (any status): the service is then up. */
  readyUrl: string;
  startTimeoutMs?: number;
};

/**
 * Starts a long-lived service (an API the harness did not write, so it announces no port) and
 * waits until `readyUrl` answers. stop() sends SIGTERM (SIGKILL after 5 s) and waits for the exit,
 * so that what the service writes on exit (a --cpu-prof profile) is there afterwards.
 */
export async function startService(o: ServiceOptions): Promise<{ pid: number; stop: () => Promise<void>; output: () => string }> {
  const [cmd, args] = pinned(o);
  const child = spawn(cmd, args, { cwd: o.cwd, env: o.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  let output = "";
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  let exited = false;
  const closed = new Promise<void>((r) =>
    child.on("close", () => {
      exited = true;
      live.delete(child);
      r();
    }),
  );
  const stop = async () => {
    if (exited) return;
    child.kill("SIGTERM");
    const t = setTimeout(() => child.kill("SIGKILL"), 5000);
    await closed;
    clearTimeout(t);
  };
  const deadline = Date.now() + (o.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error(`${o.cmd} ${o.args.join(" ")} exited before it answered: ${output.slice(-2000)}`);
    const up = await fetch(o.readyUrl).then(
      (r) => r.body?.cancel().then(() => true) ?? true,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${o.readyUrl} did not answer within ${(o.startTimeoutMs ?? 60_000) / 1000} s: ${output.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { pid: child.pid!, stop, output: () => output };
}
