/**
 * The entry point of an engine thread: runs one ThreadEngine as the main thread says, and
 * answers each prepare, tick and stop. Kept at the top of src/ so that it sits next to the
 * bundle's main.js in dist/ too (built as an entry point of its own).
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { ThreadEngine } from "./engine/thread-engine.ts";
import type { EngineThreadData, FromEngineThread, ToEngineThread } from "./thread-protocol.ts";

if (!parentPort) throw new Error("engine-thread.ts runs in a worker thread only");
const port: MessagePort = parentPort;
const data = workerData as EngineThreadData;
const post = (message: FromEngineThread) => port.postMessage(message);

const engine = new ThreadEngine({
  ...data,
  onError: (err) => post({ type: "error", message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
});

/** One message at a time, in order: a begin or a tick waits for the warm-up to finish. */
let handled: Promise<void> = Promise.resolve();

port.on("message", (message: ToEngineThread) => {
  handled = handled.then(() => handle(message));
});

async function handle(message: ToEngineThread): Promise<void> {
  switch (message.type) {
    case "prepare":
      await engine.prepare();
      post({ type: "prepared" });
      return;
    case "begin":
      engine.begin(message.originMs);
      void engine.done.then(() => post({ type: "finished" }));
      return;
    case "add":
      engine.add(message.parts);
      return;
    case "tick":
      post({ type: "windows", windows: engine.closeBefore(message.second), activeUsers: engine.activeUsers });
      return;
    case "stop": {
      const { windows, totals, abortedAfterGrace } = await engine.stop(message.graceMs);
      post({ type: "stopped", windows, totals, abortedAfterGrace });
      port.close();
      return;
    }
  }
}
