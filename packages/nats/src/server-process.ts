import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { sleep } from "@loadline/core";

/**
 * @loadline/nats/server-process: a nats-server as a child process, for the embedded stack and
 * for tests and harnesses that own one (see natsServers in @loadline/nats/testing).
 */

const NATS_BINARIES = ["nats-server", "/usr/sbin/nats-server", "/usr/bin/nats-server"];

export function findNatsServer(): string | null {
  for (const bin of NATS_BINARIES) {
    if (spawnSync(bin, ["--version"], { stdio: "ignore" }).status === 0) return bin;
  }
  return null;
}

/**
 * A port free a moment ago: it is released before it is handed over, so another process may bind
 * it before the caller does. Whoever spawns a process on it must retry on EADDRINUSE; better, let
 * the process bind port 0 and say which port it got (as spawnNatsServer does).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The ports a nats-server bound, as its ports file tells them. */
export type NatsPorts = { client: number; cluster?: number };

/** A nats-server could not bind a port it was given: another process holds it. */
export class NatsPortInUseError extends Error {}

export type SpawnedNats = {
  child: ChildProcess;
  ports: NatsPorts;
  exited: Promise<void>;
  /** The tail of its log (stderr). */
  output(): string;
};

const portOf = (urls: unknown): number | undefined =>
  Array.isArray(urls) && typeof urls[0] === "string" ? Number(new URL(urls[0]).port) : undefined;

/**
 * Spawns nats-server with `args` and resolves once it has bound its ports, as it tells itself:
 * with --ports_file_dir it writes them to `<name>_<pid>.ports` in `portsDir` once listening (and
 * removes the file when it shuts down). Given `-p -1` it picks a free client port itself, so no
 * other process can take the port between its choice and its bind. Rejects, the child killed, when
 * it exits first (NatsPortInUseError when a port it was given was taken) or is not up in time.
 */
export async function spawnNatsServer(
  bin: string,
  args: readonly string[],
  opts: { portsDir: string; cluster?: boolean; detached?: boolean; timeoutMs?: number; onSpawn?: (child: ChildProcess) => void },
): Promise<SpawnedNats> {
  mkdirSync(opts.portsDir, { recursive: true });
  const isPortsFile = (f: string) => /_\d+\.ports$/.test(f);
  // Left by a server that was killed: its pid is not ours, but only ours should be there.
  for (const f of readdirSync(opts.portsDir).filter(isPortsFile)) rmSync(join(opts.portsDir, f), { force: true });
  const child = spawn(bin, [...args, "--ports_file_dir", opts.portsDir], {
    stdio: ["ignore", "ignore", "pipe"],
    detached: opts.detached ?? false,
  });
  opts.onSpawn?.(child);
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // After its exit, once its stderr is read to the end: the reason is the last line.
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await Promise.race([closed, sleep(1000)]);
      const message = `nats-server exited before it was listening: ${stderr}`;
      throw /address already in use/i.test(stderr) ? new NatsPortInUseError(message) : new Error(message);
    }
    const file = child.pid === undefined ? undefined : readdirSync(opts.portsDir).find((f) => f.endsWith(`_${child.pid}.ports`));
    const reported = file ? readPortsFile(join(opts.portsDir, file)) : undefined;
    if (reported?.client !== undefined && (!opts.cluster || reported.cluster !== undefined)) {
      return { child, ports: reported as NatsPorts, exited, output: () => stderr };
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`nats-server not listening after ${opts.timeoutMs ?? 10_000} ms: ${stderr}`);
    }
    await Promise.race([exited, sleep(20)]);
  }
}

/** The ports a ports file names; undefined while it is being written. */
function readPortsFile(path: string): Partial<NatsPorts> | undefined {
  try {
    const ports = JSON.parse(readFileSync(path, "utf8")) as { nats?: unknown; cluster?: unknown };
    const cluster = portOf(ports.cluster);
    return { client: portOf(ports.nats), ...(cluster === undefined ? {} : { cluster }) };
  } catch {
    return undefined;
  }
}
