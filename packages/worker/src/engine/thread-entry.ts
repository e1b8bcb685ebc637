/**
 * The entry point of an engine thread: runs one ThreadLoad as the main thread says, and
 * answers each prepare, tick and stop. It sits beside multi-thread-engine.ts, which looks for it
 * there, and the bundle builds it as an entry point of its own beside main.js in dist/.
 */
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import { ThreadLoad } from "./thread-load.ts";
import type { FromThread, ThreadStartData, ToThread } from "./thread-messages.ts";
import { warmUp } from "./warm-up.ts";

if (!parentPort) throw new Error("thread-entry.ts runs in a worker thread only");
const port: MessagePort = parentPort;
const post = (message: FromThread) => port.postMessage(message);

/** A spare thread (started ahead, without a run) warms its HTTP client up while it waits: its run's prepare is then done. */
const warmedUp = workerData ? undefined : warmUp().catch(() => undefined);

/** The run this thread serves: from workerData, or for a spare thread from its first message. */
let load: ThreadLoad | undefined;
const serve = (data: ThreadStartData) => {
  load = new ThreadLoad({
    ...data,
    ...(warmedUp ? { warmedUp } : {}),
    onError: (err) => post({ type: "error", message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  });
};
if (workerData) serve(workerData as ThreadStartData);

/** One message at a time, in order: a begin or a tick waits for the warm-up to finish. */
let handled: Promise<void> = Promise.resolve();

port.on("message", (message: ToThread) => {
  if (message.type === "start") return serve(message.data);
  handled = handled.then(() => (load ? handle(load, message) : undefined));
});

async function handle(load: ThreadLoad, message: ToThread): Promise<void> {
  switch (message.type) {
    case "start":
      return;
    case "prepare":
      await load.prepare();
      post({ type: "prepared" });
      return;
    case "begin":
      load.begin(message.originMs);
      void load.done.then(() => post({ type: "finished" }));
      return;
    case "add":
      load.add(message.parts);
      return;
    case "control":
      load.control(message.control);
      return;
    case "tick":
      post({ type: "windows", windows: load.closeBefore(message.second), activeUsers: load.activeUsers });
      return;
    case "stop": {
      const { windows, totals, abortedAfterGrace } = await load.stop(message.capMs);
      post({ type: "stopped", windows, totals, abortedAfterGrace });
      // The connections close after the answer: the run's end does not wait for them.
      await load.closed();
      port.close();
      return;
    }
  }
}
