// Slow target for the memory benchmark: answers --delay-ms (default 5000) after each request,
// keeps connections open and counts the most connections it held at once.
import { ok, parseArgs, serve } from "./common.mjs";

const args = parseArgs();
const delayMs = Number(args["delay-ms"] ?? 5000);
let requests = 0;
let open = 0;
let peakOpen = 0;
serve({
  name: "slow",
  args,
  handler: (req, res) => {
    requests++;
    countConnection(req.socket);
    setTimeout(() => ok(res), delayMs);
  },
  stats: () => ({ requests, open, peakOpen, delayMs }),
  reset: () => {
    requests = 0;
    peakOpen = open;
  },
});
// Only connections that sent a load request count (not the harness's /__stats request).
const counted = new WeakSet();
function countConnection(socket) {
  if (counted.has(socket)) return;
  counted.add(socket);
  open++;
  if (open > peakOpen) peakOpen = open;
  socket.on("close", () => {
    open--;
  });
}
