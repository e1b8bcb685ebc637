import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** What the target did with one request (see timing-target-server.mjs). */
export type TargetRecord = {
  path: string;
  /** The `s` query parameter. */
  label: string;
  /** The `vu` query parameter, -1 when absent. */
  vu: number;
  /** When its handler ran, ms from the target's time zero (the first request after arming). */
  arrivalMs: number;
  /** From its handler to just before its answer was written: what the target imposed, its timer's lateness included. */
  heldMs: number;
  /** The stall window it arrived in (0, 1, ...), -1 for none. */
  window: number;
};

export type StallWindows = { offsetMs: number; periodMs: number; stallMs: number };

export type TimingTarget = {
  url: string;
  /** Forgets what it recorded; the next request is its time zero, from which stall windows count. */
  arm(config: { stall?: StallWindows; seed?: number }): Promise<void>;
  records(): Promise<TargetRecord[]>;
  /** The records, with when the target was armed and when it was asked for them (ms from its time zero). */
  recordsAndTimes(): Promise<{ records: TargetRecord[]; armedMs: number; nowMs: number }>;
  close(): Promise<void>;
};

const SERVER = fileURLToPath(new URL("./timing-target-server.mjs", import.meta.url));

/** Starts timing-target-server.mjs as a child process on 127.0.0.1 and waits for its port. */
export async function startTimingTarget(): Promise<TimingTarget> {
  const child: ChildProcess = spawn(process.execPath, [SERVER], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => resolve((JSON.parse(line) as { port: number }).port));
    child.once("exit", (code) => reject(new Error(`the timing target exited (${code}) before listening`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const recordsAndTimes = async () => {
    const answer = (await (await fetch(`${url}/__records`)).json()) as {
      records: [string, string, number, number, number, number][];
      armedMs: number;
      nowMs: number;
    };
    const records = answer.records.map(([path, label, vu, arrivalMs, heldMs, window]) => ({ path, label, vu, arrivalMs, heldMs, window }));
    return { records, armedMs: answer.armedMs, nowMs: answer.nowMs };
  };
  return {
    url,
    async arm(config) {
      const res = await fetch(`${url}/__arm`, { method: "POST", body: JSON.stringify(config) });
      if (!res.ok) throw new Error(`arm: HTTP ${res.status}`);
      await res.text();
    },
    recordsAndTimes,
    records: async () => (await recordsAndTimes()).records,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin!.end(); // it exits when its stdin closes
      const killer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(killer);
    },
  };
}
