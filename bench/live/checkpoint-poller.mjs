// A thread of the live section: reads the projections' checkpoints every `everyMs` and posts each
// change of a checkpoint with when it was first seen (epoch ms, fractional: timeOrigin + now, as
// the main thread stamps what its clients receive). In a thread of its own so that the SSE
// clients' work on the main thread does not delay the stamps (which would shorten the lags).
// Plain JavaScript: no loader needed in a worker thread.
import { parentPort, workerData } from "node:worker_threads";
import postgres from "postgres";

const { databaseUrl, everyMs } = workerData;
const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
const now = () => performance.timeOrigin + performance.now();
const last = { events: -1, metrics: -1 };
let stopped = false;
let polls = 0;
let slowest = 0;

parentPort.on("message", (m) => {
  if (m === "stop") stopped = true;
});

async function loop() {
  while (!stopped) {
    const sent = now();
    try {
      const rows = await sql`select name, position from projection_checkpoints where name in ('events', 'metrics')`;
      const at = now();
      polls++;
      slowest = Math.max(slowest, at - sent);
      const changes = [];
      for (const r of rows) {
        const position = Number(r.position);
        if (position !== last[r.name]) {
          last[r.name] = position;
          changes.push({ name: r.name, position, at });
        }
      }
      if (changes.length > 0) parentPort.postMessage({ type: "changes", changes });
    } catch (err) {
      parentPort.postMessage({ type: "error", message: String(err?.message ?? err) });
    }
    const wait = everyMs - (now() - sent);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await sql.end({ timeout: 2 });
  parentPort.postMessage({ type: "stopped", polls, slowestMs: slowest });
}

void loop();
