// Target that stalls: answers at once, except during the last --stall-ms (default 1000) of every
// --period-ms (default 5000), counted from start or from the last /__reset. A request that arrives
// in a stall window is held until the window ends. /__stats tells how many windows held a request.
import { ok, parseArgs, serve } from "./common.mjs";

const args = parseArgs();
const periodMs = Number(args["period-ms"] ?? 5000);
const stallMs = Number(args["stall-ms"] ?? 1000);
let epoch = performance.now();
let requests = 0;
let held = 0;
const stallWindows = new Set();

serve({
  name: "stall",
  args,
  handler: (_req, res) => {
    requests++;
    const t = performance.now() - epoch;
    const phase = t % periodMs;
    if (phase < periodMs - stallMs) return ok(res);
    held++;
    stallWindows.add(Math.floor(t / periodMs));
    setTimeout(() => ok(res), periodMs - phase);
  },
  stats: () => ({ requests, held, stalls: stallWindows.size, periodMs, stallMs }),
  reset: () => {
    epoch = performance.now();
    requests = 0;
    held = 0;
    stallWindows.clear();
  },
});
