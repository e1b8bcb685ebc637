// Target with a fixed latency: every response is sent --delay-ms (default 20) after the request arrives.
// /__stats also gives its own timings (request handed to the handler → response flushed), so a
// generator's latency can be set against what the target itself took (the self-noise section).
import { ok, parseArgs, serve } from "./common.mjs";

const args = parseArgs();
const delayMs = Number(args["delay-ms"] ?? 20);
let requests = 0;
/** Server-side durations in ms, one per answered request (a bench run holds tens of thousands). */
let timings = [];

const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : null);
const round = (v) => (v === null ? null : Math.round(v * 1000) / 1000);

serve({
  name: "delay",
  args,
  handler: (_req, res) => {
    requests++;
    const arrived = performance.now();
    res.once("finish", () => timings.push(performance.now() - arrived));
    setTimeout(() => ok(res), delayMs);
  },
  stats: () => {
    const sorted = Float64Array.from(timings).sort();
    return {
      requests,
      delayMs,
      serverP50Ms: round(percentile(sorted, 50)),
      serverP99Ms: round(percentile(sorted, 99)),
      serverMaxMs: round(sorted.length ? sorted[sorted.length - 1] : null),
    };
  },
  reset: () => {
    requests = 0;
    timings = [];
  },
});
