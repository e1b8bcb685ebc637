import { type ChildProcess, spawn } from "node:child_process";
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BoundedLines } from "./bounded-lines.ts";
import type { LocustCommand, LocustMessage } from "./locust-messages.ts";
import { parseLocustLine } from "./locust-messages.ts";
import { OutputTail } from "./output-tail.ts";

/** The plugin Locust loads before the tenant's locustfile: the guard, the channel, the start. */
export const PLUGIN_FILE = fileURLToPath(new URL("./loadline_plugin.py", import.meta.url));
/** The plugin's side of the channel (a socket pair): the fd after stdin, stdout and stderr. */
const CHANNEL_FD = 3;

export type LocustProcessOptions = {
  /** The tenant's Python source. */
  locustfile: string;
  /** Locust's --host: what relative URLs in the locustfile are resolved against. */
  host: string;
  /** The only addresses the process may connect to ("ip:port", "[ipv6]:port"). */
  approvedAddresses: readonly string[];
  onMessage: (m: LocustMessage) => void;
  /** The locust executable (Debian's python3-locust puts it on the PATH). */
  command?: string;
};

/** Process groups of the Locust processes alive: killed when this process exits, whatever the way. */
const live = new Set<number>();
process.once("exit", () => {
  for (const pgid of live) killGroup(pgid);
});

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // already gone
  }
}

/**
 * One Locust process, headless, with the tenant's locustfile in a private temp dir (its cwd and
 * HOME, so no locust.conf of anybody else's is read) and an environment of its own: the
 * worker's (its keys, its NATS credentials) is never handed to tenant code. It leads its own
 * process group, killed whole at the end and when the worker exits; the plugin exits by itself
 * when the channel closes (a worker that was killed). Its stdout and stderr are kept as a
 * bounded tail.
 */
export class LocustProcess {
  readonly output = new OutputTail();
  private child: ChildProcess | undefined;
  private channel: Socket | undefined;
  private dir: string | undefined;
  private exitCode: Promise<number | null> | undefined;

  private constructor(private readonly opts: LocustProcessOptions) {}

  static async start(opts: LocustProcessOptions): Promise<LocustProcess> {
    const p = new LocustProcess(opts);
    await p.spawn();
    return p;
  }

  /** Resolves with the exit code (null: killed by a signal) once the process is gone and its dir removed. */
  get exited(): Promise<number | null> {
    return this.exitCode ?? Promise.resolve(null);
  }

  send(command: LocustCommand): void {
    if (this.channel && !this.channel.destroyed) this.channel.write(`${JSON.stringify(command)}\n`);
  }

  /** Kills the whole group now: what is in flight is lost (a stop that runs out of time, a worker that stops). */
  kill(): void {
    if (this.child?.pid !== undefined && this.child.exitCode === null) killGroup(this.child.pid);
  }

  private async spawn(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), "loadline-locust-"));
    const locustfile = join(this.dir, "locustfile.py");
    const plugin = join(this.dir, "loadline_plugin.py");
    await writeFile(locustfile, this.opts.locustfile, { mode: 0o600 });
    await copyFile(PLUGIN_FILE, plugin);
    const child = spawn(
      this.opts.command ?? "locust",
      [
        "-f",
        `${plugin},${locustfile}`,
        "--headless",
        "--host",
        this.opts.host,
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
      ],
      {
        cwd: this.dir,
        detached: true, // its own process group: killed whole, never left behind
        stdio: ["ignore", "pipe", "pipe", "pipe"],
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: this.dir,
          LANG: "C.UTF-8",
          PYTHONDONTWRITEBYTECODE: "1",
          PYTHONUNBUFFERED: "1",
          LOADLINE_CHANNEL_FD: String(CHANNEL_FD),
          LOADLINE_ALLOWED_ADDRESSES: this.opts.approvedAddresses.join(","),
          LOADLINE_PRIVATE_DIR: this.dir,
        },
      },
    );
    this.child = child;
    if (child.pid !== undefined) live.add(child.pid);
    child.stdout?.on("data", (d: Buffer) => this.output.push(d));
    child.stderr?.on("data", (d: Buffer) => this.output.push(d));
    this.channel = child.stdio[CHANNEL_FD] as Socket;
    this.channel.on("error", () => undefined);
    const lines = new BoundedLines((line) => {
      const message = parseLocustLine(line);
      if (message) this.opts.onMessage(message);
    });
    this.channel.on("data", (chunk: Buffer) => lines.push(chunk));
    const dir = this.dir;
    const pid = child.pid;
    this.exitCode = new Promise<number | null>((resolve) => {
      let ended = false;
      const done = (code: number | null) => {
        if (ended) return;
        ended = true;
        if (pid !== undefined) live.delete(pid);
        void rm(dir, { recursive: true, force: true }).then(() => resolve(code));
      };
      child.once("error", (err) => {
        this.output.push(`${err.message}\n`);
        done(null);
      });
      // Whatever the locustfile started beside it goes too: then its pipes close, and the last lines are read.
      child.once("exit", () => {
        if (pid !== undefined) killGroup(pid);
      });
      child.once("close", (code) => done(code));
    });
  }
}
