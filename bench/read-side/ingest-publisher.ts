// The main thread's side of the ingest benchmark's publisher (publisher-thread.ts): starts the
// thread under tsx, and turns its messages into promises (ready, started, done) and ack batches.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { sleep } from "@loadline/core";
import type { FromPublisher, PublisherData, ToPublisher } from "./publisher-thread.ts";

export type Publisher = {
  worker: Worker;
  ready: Promise<void>;
  /** Starts the ticks; resolves with the epoch ms of the first. */
  start(): Promise<number>;
  done: Promise<Extract<FromPublisher, { type: "done" }>>;
  terminate(): Promise<unknown>;
};

/**
 * tsx's ESM API: Node 20 ignores `--import` loaders in a worker's execArgv (see
 * packages/worker/src/engine/multi-thread-engine.ts).
 */
function tsxApiUrl(): string {
  try {
    return import.meta.resolve("tsx/esm/api");
  } catch {
    return pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api")).href.replace(/\.cjs$/, ".mjs");
  }
}

export function startPublisher(data: PublisherData, onAcks: (acks: Float64Array) => void): Publisher {
  const entry = JSON.stringify(new URL("./publisher-thread.ts", import.meta.url).href);
  const bootstrap = `import(${JSON.stringify(tsxApiUrl())}).then((tsx) => tsx.tsImport(${entry}, ${entry})).catch((err) => process.nextTick(() => { throw err; }));`;
  const worker = new Worker(bootstrap, { eval: true, workerData: data });
  let exited = false;
  const exit = new Promise<void>((r) =>
    worker.once("exit", () => {
      exited = true;
      r();
    }),
  );
  const send = (m: ToPublisher) => worker.postMessage(m);
  let ready!: () => void;
  let started!: (firstTickMs: number) => void;
  let finished!: (d: Extract<FromPublisher, { type: "done" }>) => void;
  let failed!: (err: Error) => void;
  const readyP = new Promise<void>((r) => (ready = r));
  const startedP = new Promise<number>((r) => (started = r));
  const doneP = new Promise<Extract<FromPublisher, { type: "done" }>>((resolve, reject) => {
    finished = resolve;
    failed = reject;
  });
  const fail = (err: Error) => failed(err);
  worker.on("message", (m: FromPublisher) => {
    if (m.type === "acks") onAcks(m.acks);
    else if (m.type === "ready") ready();
    else if (m.type === "started") started(m.firstTickMs);
    else if (m.type === "done") finished(m);
    else if (m.type === "error") fail(new Error(`publisher thread: ${m.message}`));
  });
  worker.on("error", (err) => fail(err));
  worker.on("exit", (code) => fail(new Error(`publisher thread exited with code ${code}`)));
  // A failure before "ready" or "started" must end those waits too.
  const orFail = <T>(p: Promise<T>) => Promise.race([p, doneP.then(() => new Promise<T>(() => undefined))]);
  doneP.catch(() => undefined);
  return {
    worker,
    ready: orFail(readyP),
    start() {
      send({ type: "start" });
      return orFail(startedP);
    },
    done: doneP,
    async terminate() {
      if (exited) return;
      send({ type: "stop" });
      await Promise.race([exit, sleep(5000)]);
      if (!exited) await worker.terminate();
    },
  };
}
