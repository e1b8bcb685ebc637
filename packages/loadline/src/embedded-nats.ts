import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { sleep } from "@loadline/core";
import { findNatsServer, spawnNatsServer } from "@loadline/nats/server-process";

// The process plumbing lives with the NATS adapter, where tests of any package can reach it.
export { findNatsServer, freePort } from "@loadline/nats/server-process";

export type EmbeddedNats = { url: string; stop(): Promise<void> };

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
 * A nats-server child process with JetStream in `storeDir`, on a loopback port it picks itself
 * (or `port`). It runs in its own process group, so a terminal's Ctrl-C reaches only us and we
 * stop it last, after the services have drained through it.
 */
export async function startEmbeddedNats(storeDir: string, port?: number): Promise<EmbeddedNats> {
  const bin = findNatsServer();
  if (!bin) throw new Error("nats-server is not installed: run `npm run demo` (it installs it) or `apt-get install nats-server`");
  mkdirSync(storeDir, { recursive: true });
  const pidFile = join(storeDir, "nats-server.pid");
  endStaleServer(pidFile);
  const args = ["-a", "127.0.0.1", "-p", String(port ?? -1), "-js", "-sd", storeDir];
  const { child, ports, exited } = await spawnNatsServer(bin, args, {
    portsDir: storeDir,
    detached: true,
    onSpawn: (c) => c.pid && writeFileSync(pidFile, String(c.pid)),
  });
  return {
    url: `nats://127.0.0.1:${ports.client}`,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(5_000)]);
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(pidFile, { force: true });
    },
  };
}
