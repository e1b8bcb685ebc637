import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { sleep } from "@loadline/core";
import { freePort } from "../embedded-nats.ts";

/** The repository root: the services' entry points are relative to it. */
const root = fileURLToPath(new URL("../../../..", import.meta.url));

/** Each service's entry point, run as a process of its own (the production topology). */
export const SERVICES = {
  projections: "packages/projections/src/main.ts",
  orchestrator: "packages/orchestrator/src/main.ts",
  worker: "packages/worker/src/main.ts",
  api: "packages/loadline/src/cli.ts",
} as const;
export type ServiceName = keyof typeof SERVICES;

export type Service = {
  name: string;
  port: number;
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exit: Promise<number | null>;
  output(): string;
  /** The JSON log lines it wrote so far (pino), parsed. */
  logs(): Record<string, unknown>[];
};

/** Starts a service process with its ops port free and `env` over this process's environment. */
export async function startService(kind: ServiceName, env: Record<string, string>, name: string = kind): Promise<Service> {
  const port = await freePort();
  const args = ["--import", "tsx", SERVICES[kind], ...(kind === "api" ? ["api"] : [])];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, PORT: String(port), LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
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
  return { name, port, child, exit, output: () => output, logs };
}

/** Waits until the service answers /readyz with 200. */
export async function waitReady(s: Service, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${s.port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (s.child.exitCode !== null) break;
    await sleep(200);
  }
  throw new Error(`${s.name} not ready: ${s.output().slice(-3000)}`);
}

/** SIGTERM, then SIGKILL after `graceMs`: resolves with the exit code. */
export async function stopService(s: Service, graceMs = 15_000): Promise<number | null | "timeout"> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return s.child.exitCode;
  s.child.kill("SIGTERM");
  const code = await Promise.race([s.exit, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), graceMs))]);
  if (code === "timeout") s.child.kill("SIGKILL");
  return code;
}
