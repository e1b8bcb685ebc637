// A target whose timing the tests know exactly, run as a child process of the test (its own event
// loop, away from the stack's): `node timing-target-server.mjs`, which timing-target.ts starts. It
// prints one JSON line, {"port", "pid"}, and exits when its stdin closes (the test ended or died), on
// SIGTERM, or after 5 minutes.
//
//   POST /__arm {"stall"?: {"offsetMs", "periodMs", "stallMs"}, "seed"?}: forgets what it recorded;
//        the first request after it is the target's time zero (t0), from which the stall windows count.
//   GET  /__records: {records, armedMs, nowMs}: one record per answered request, [path, label, vu,
//        arrivalMs (from t0), heldMs, window]; when it was armed and when it was asked, also from t0.
//        heldMs: from the request's handler to just before its answer is written (what the target imposed,
//        timer lateness included): no client can see a latency below it;
//        window: the stall window it arrived in (0, 1, ...), else -1.
//   GET  /stall?s=<label>: answers after ~1 ms; a request that arrives in a stall window,
//        [t0 + offsetMs + k·periodMs, that + stallMs), is held until the window ends.
//   GET  /delay?vu=<n>: answers after the seeded delay of that VU's next request (see delayMs).
//   GET  /zero: answers at once.
import http from "node:http";

let config = { stall: null, seed: 15 };
let t0;
let armedAt = performance.now();
let records = [];
const perVu = new Map();

/** A uniform draw in [0, 1) from (seed, vu, n): the n-th request of a VU gets the same delay on every run. */
function draw(seed, vu, n) {
  let a = (seed ^ Math.imul(vu + 1, 0x9e3779b1) ^ Math.imul(n + 1, 0x85ebca77)) >>> 0;
  let r = 0;
  for (let i = 0; i < 3; i++) {
    // mulberry32, three rounds to mix the key well
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return r;
}

/** Log-uniform delays: odd VUs 2-50 ms, even VUs 20-500 ms, so that two lanes see different distributions. */
function delayMs(vu, n) {
  const low = vu % 2 === 1 ? 2 : 20;
  return low * 25 ** draw(config.seed, vu, n);
}

function ok(res) {
  res.writeHead(200, { "content-type": "text/plain", "content-length": 2 });
  res.end("ok");
}

function json(res, value) {
  const body = JSON.stringify(value);
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Answers `res` once `ms` have passed since `arrival` by performance.now() (at once for 0), then
 * records the request. A timer may fire up to a millisecond early by that clock (libuv counts from
 * its loop's cached time): it is set again for what is left, so a hold is never cut short.
 */
function answer(res, arrival, ms, record) {
  const until = arrival + ms;
  const done = () => {
    const left = until - performance.now();
    if (left > 0) return void setTimeout(done, left);
    // Read before the answer is written: the client cannot have it any sooner.
    record[4] = performance.now() - arrival;
    records.push(record);
    ok(res);
  };
  done();
}

const server = http.createServer({ keepAlive: true }, (req, res) => {
  const arrival = performance.now();
  const url = new URL(req.url ?? "/", "http://target");
  if (url.pathname === "/__arm") {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      config = { stall: null, seed: 15, ...(body ? JSON.parse(body) : {}) };
      t0 = undefined;
      armedAt = arrival;
      records = [];
      perVu.clear();
      json(res, { armed: config });
    });
    return;
  }
  if (url.pathname === "/__records") {
    const zero = t0 ?? armedAt;
    return json(res, { records, armedMs: armedAt - zero, nowMs: arrival - zero });
  }
  t0 ??= arrival;
  const at = arrival - t0;
  const label = url.searchParams.get("s") ?? "";
  const vu = Number(url.searchParams.get("vu") ?? -1);
  const record = [url.pathname, label, vu, at, 0, -1];
  switch (url.pathname) {
    case "/stall": {
      const s = config.stall;
      const k = s ? Math.floor((at - s.offsetMs) / s.periodMs) : -1;
      const windowEnd = s ? s.offsetMs + k * s.periodMs + s.stallMs : 0;
      if (s && k >= 0 && at < windowEnd) {
        record[5] = k;
        return answer(res, arrival, windowEnd - at, record);
      }
      return answer(res, arrival, 1, record);
    }
    case "/delay": {
      const n = perVu.get(vu) ?? 0;
      perVu.set(vu, n + 1);
      return answer(res, arrival, delayMs(vu, n), record);
    }
    case "/zero":
      return answer(res, arrival, 0, record);
    default:
      res.writeHead(404).end();
  }
});
server.keepAliveTimeout = 120_000;
server.headersTimeout = 130_000;
server.requestTimeout = 0;

const stop = () => {
  server.closeAllConnections();
  server.close();
  process.exit(0);
};
server.listen({ host: "127.0.0.1", port: 0, backlog: 4096 }, () => {
  process.stdout.write(JSON.stringify({ port: server.address().port, pid: process.pid }) + "\n");
});
process.stdin.on("end", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
setTimeout(stop, 300_000).unref();
