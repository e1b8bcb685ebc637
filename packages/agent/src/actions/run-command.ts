import { type ChildProcessByStdio, spawn } from "node:child_process";
import type { Readable } from "node:stream";

export type CommandResult =
  | { kind: "exited"; exitCode: number; output: string; truncated: boolean; durationMs: number }
  | { kind: "signalled"; signal: string; output: string; truncated: boolean; durationMs: number }
  | { kind: "timed-out"; output: string; truncated: boolean; durationMs: number }
  | { kind: "stopped"; output: string; truncated: boolean; durationMs: number }
  | { kind: "not-started"; error: string; durationMs: number };

export type RunningCommand = {
  readonly result: Promise<CommandResult>;
  /** Ends it early (SIGTERM, then SIGKILL): its result is `stopped`. */
  stop(): void;
};

export type RunOptions = { timeoutMs: number; maxOutputBytes: number; killGraceMs?: number; env?: NodeJS.ProcessEnv };

/** What an action's process inherits: the agent's environment less its own NATS and Loadline settings (credentials among them). */
export function actionEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith("NATS_") && !k.startsWith("LL_")));
}

/**
 * Runs argv without a shell, in a process group of its own (so that a timeout also ends what
 * it started), with stdout and stderr captured together up to maxOutputBytes. At the timeout
 * the group gets SIGTERM, and SIGKILL `killGraceMs` (2 s) later.
 */
export function runCommand(argv: readonly string[], opts: RunOptions): RunningCommand {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const chunks: Buffer[] = [];
  let kept = 0;
  let truncated = false;
  let ending: "timed-out" | "stopped" | undefined;
  let killTimer: NodeJS.Timeout | undefined;

  let child: ChildProcessByStdio<null, Readable, Readable>;
  try {
    child = spawn(argv[0]!, argv.slice(1), {
      shell: false,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: opts.env ?? actionEnv(),
    });
  } catch (err) {
    // Arguments spawn refuses outright (a NUL in one): it never started.
    const result = Promise.resolve<CommandResult>({ kind: "not-started", error: (err as Error).message, durationMs: elapsed() });
    return { result, stop: () => undefined };
  }
  const take = (chunk: Buffer) => {
    const room = opts.maxOutputBytes - kept;
    if (chunk.length > room) truncated = true;
    if (room <= 0) return; // still read (and dropped), so that the process never blocks on a full pipe
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    chunks.push(part);
    kept += part.length;
  };
  child.stdout.on("data", take);
  child.stderr.on("data", take);

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const end = (why: "timed-out" | "stopped") => {
    if (ending || child.exitCode !== null || child.signalCode !== null) return;
    ending = why;
    signalGroup("SIGTERM");
    killTimer = setTimeout(() => signalGroup("SIGKILL"), opts.killGraceMs ?? 2_000);
  };
  const timeout = setTimeout(() => end("timed-out"), opts.timeoutMs);

  const result = new Promise<CommandResult>((resolve) => {
    child.once("error", (err) => {
      clearTimeout(timeout);
      resolve({ kind: "not-started", error: err.message, durationMs: elapsed() });
    });
    // close: the process exited and its pipes are drained, so the output is whole.
    child.once("close", (code, signal) => {
      clearTimeout(timeout);
      clearTimeout(killTimer);
      const output = Buffer.concat(chunks).toString("utf8");
      const common = { output, truncated, durationMs: elapsed() };
      if (ending) resolve({ kind: ending, ...common });
      else if (code !== null) resolve({ kind: "exited", exitCode: code, ...common });
      else resolve({ kind: "signalled", signal: signal ?? "unknown", ...common });
    });
  });
  return { result, stop: () => end("stopped") };
}
