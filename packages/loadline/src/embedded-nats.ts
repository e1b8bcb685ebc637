import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { join } from "node:path";
import { sleep } from "@loadline/core";

export type EmbeddedNats = { url: string; stop(): Promise<void> };

const NATS_BINARIES = ["nats-server", "/usr/sbin/nats-server", "/usr/bin/nats-server"];

export function findNatsServer(): string | null {
  for (const bin of NATS_BINARIES) {
    if (spawnSync(bin, ["--version"], { stdio: "ignore" }).status === 0) return bin;
  }
  return null;
}

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

export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: "127.0.0.1" }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** A nats-server left running by a stack that was killed would hold the store: end it first. */
function endStaleServer(pidFile: string): void {
  try {
    const pid = Number(readFileSync(pidFile, "utf8"));
    if (pid > 0) process.kill(pid, "SIGTERM");
  } catch {
    // no pid file, or no such process: nothing to end
  }
}

/**
 * A nats-server child process with JetStream in `storeDir`, on a free loopback port. It runs
 * in its own process group, so a terminal's Ctrl-C reaches only us and we stop it last,
 * after the services have drained through it.
 */
export async function startEmbeddedNats(storeDir: string, port?: number): Promise<EmbeddedNats> {
  const bin = findNatsServer();
  if (!bin) throw new Error("nats-server is not installed: run `npm run demo` (it installs it) or `apt-get install nats-server`");
  mkdirSync(storeDir, { recursive: true });
  const pidFile = join(storeDir, "nats-server.pid");
  endStaleServer(pidFile);
  const p = port ?? (await freePort());
  const child: ChildProcess = spawn(bin, ["-a", "127.0.0.1", "-p", String(p), "-js", "-sd", storeDir], {
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  if (child.pid) writeFileSync(pidFile, String(child.pid));
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await Promise.race([waitForPort(p), exited.then(() => Promise.reject(new Error(`nats-server exited: ${stderr}`)))]);
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  return {
    url: `nats://127.0.0.1:${p}`,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(5_000)]);
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(pidFile, { force: true });
    },
  };
}
