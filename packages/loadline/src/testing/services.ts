import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { sleep } from "@loadline/core";

/** The repository root: the services' entry points are relative to it. */
const root = fileURLToPath(new URL("../../../..", import.meta.url));

/** Each service's entry point, run as a process of its own (the production topology). */
export const SERVICES = {
  projections: "packages/projections/src/main.ts",
  orchestrator: "packages/orchestrator/src/main.ts",
  worker: "packages/worker/src/main.ts",
  api: "packages/loadline/src/cli.ts",
  agent: "packages/agent/src/main.ts",
} as const;
export type ServiceName = keyof typeof SERVICES;

export type Service = {
  name: string;
  /** Its ops (or API) port, once it listens: the service binds port 0 itself and tells which it got (waitReady waits for it). */
  readonly port: number;
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exit: Promise<number | null>;
  output(): string;
  /** The JSON log lines it wrote so far (pino), parsed. */
  logs(): Record<string, unknown>[];
};

/**
 * Preloaded into a service process, after tsx and before its entry point: the first server it listens
 * with writes its port to fd 3. With PORT=0 the service binds a port of the kernel's choosing and
 * says which, so no other process can take it between a choice and the bind. (Engine threads load
 * it too, and leave alone: they do not listen.)
 */
const TELL_PORT = `data:text/javascript,${encodeURIComponent(`
import { writeSync } from "node:fs";
import { Server } from "node:net";
import { isMainThread } from "node:worker_threads";
if (isMainThread) {
  const listen = Server.prototype.listen;
  let told = false;
  Server.prototype.listen = function (...args) {
    this.once("listening", () => {
      const address = this.address();
      if (told || address === null || typeof address !== "object") return;
      told = true;
      try {
        writeSync(3, address.port + "\\n");
      } catch {
        // nobody to tell (the parent went away)
      }
    });
    return listen.apply(this, args);
  };
}
`)}`;

/** Starts a service process, on a port it binds itself (see `port`), with `env` over this process's environment. */
export async function startService(kind: ServiceName, env: Record<string, string>, name: string = kind): Promise<Service> {
  const args = ["--import", "tsx", "--import", TELL_PORT, SERVICES[kind], ...(kind === "api" ? ["api"] : [])];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, PORT: "0", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  let port: number | undefined;
  let told = "";
  child.stdio[3]?.on("data", (d: Buffer) => {
    told += d.toString();
    const line = /^(\d+)\n/.exec(told);
    if (line && port === undefined) port = Number(line[1]);
  });
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const logs = () =>
    output.split("\n").flatMap((line) => {
      if (!line.startsWith("{")) return [];
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  return {
    name,
    get port() {
      if (port === undefined) throw new Error(`${name} is not listening yet: waitReady first`);
      return port;
    },
    child,
    exit,
    output: () => output,
    logs,
  };
}

/** Waits until the service listens and answers /readyz with 200 on the port it told. */
export async function waitReady(s: Service, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const port = portOf(s);
    const ok =
      port !== undefined &&
      (await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      ));
    if (ok) return;
    if (s.child.exitCode !== null) break;
    await sleep(port === undefined ? 20 : 200);
  }
  throw new Error(`${s.name} not ready: ${s.output().slice(-3000)}`);
}

const portOf = (s: Service): number | undefined => {
  try {
    return s.port;
  } catch {
    return undefined;
  }
};

/** SIGTERM, then SIGKILL after `graceMs`: resolves with the exit code. */
export async function stopService(s: Service, graceMs = 15_000): Promise<number | null | "timeout"> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return s.child.exitCode;
  s.child.kill("SIGTERM");
  const code = await Promise.race([s.exit, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), graceMs))]);
  if (code === "timeout") s.child.kill("SIGKILL");
  return code;
}
