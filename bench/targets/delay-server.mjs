// Target with a fixed latency: every response is sent --delay-ms (default 20) after the request arrives.
import { ok, parseArgs, serve } from "./common.mjs";

const args = parseArgs();
const delayMs = Number(args["delay-ms"] ?? 20);
let requests = 0;
serve({
  name: "delay",
  args,
  handler: (_req, res) => {
    requests++;
    setTimeout(() => ok(res), delayMs);
  },
  stats: () => ({ requests, delayMs }),
  reset: () => {
    requests = 0;
  },
});
