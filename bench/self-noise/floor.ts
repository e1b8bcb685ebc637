// The floor of an open-loop generator in Node on this host (issue 24): the least any generator
// written in Node could do, to set Loadline's self-noise beside. It has Loadline's open model and
// nothing else: arrivals at a fixed rate, latency from each one's intended start into an HDR
// histogram, at most `max` in flight (else dropped), `max` keep-alive connections opened ahead
// (as Loadline opens one for every VU an open executor may hold), the same busy-poll within
// 1.5 ms of the next arrival.
// --client raw: net sockets, a prebuilt request, the response framed by its content-length only
// (nginx's); --client undici: one undici Client per connection, dispatch with a bare handler.
//
//   node --import tsx bench/self-noise/floor.ts --url http://127.0.0.1:PORT/ --rate 20000
//     --duration 10 --max 400 --client raw|undici
//
// Prints one JSON line: requests, durationSec, rps, p50Ms, p99Ms, maxMs, failures, droppedIterations,
// and steadyP99Ms, steadyDropped: the arrivals due from 2 s into the run on, as local-run's
// (tools/floor.ts reads it). A failed request throws: against nginx there is none.
import { connect, type Socket } from "node:net";
import { parseArgs } from "node:util";
import * as hdr from "hdr-histogram-js";
import { Client } from "undici";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    rate: { type: "string" },
    duration: { type: "string", default: "10" },
    max: { type: "string", default: "400" },
    client: { type: "string", default: "raw" },
  },
});
const url = new URL(values.url ?? "");
const rate = Number(values.rate);
const durationSec = Number(values.duration);
const max = Number(values.max);
if (!(rate > 0) || !(durationSec > 0) || !(max > 0) || !url.port) throw new Error("--url with a port, --rate, --duration, --max");

/** A keep-alive connection that sends one request and calls back when its response is in. */
type Conn = { send(intendedMs: number): void };

const latencyHistogram = () =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
const histogram = latencyHistogram();
/** The arrivals due from STEADY_AFTER_MS on: the generator's start (V8 compiling its hot paths) left out. */
const steady = latencyHistogram();
const STEADY_AFTER_MS = 2000;
const idle: Conn[] = [];
let opened = 0;
let dropped = 0;
let steadyDropped = 0;
let done = 0;

function completed(conn: Conn, intendedMs: number): void {
  const us = Math.max(1, Math.round((performance.now() - intendedMs) * 1000));
  histogram.recordValue(us);
  if (intendedMs >= steadyFromMs) steady.recordValue(us);
  done++;
  idle.push(conn);
}

const REQUEST = Buffer.from(`GET ${url.pathname} HTTP/1.1\r\nhost: ${url.host}\r\n\r\n`, "latin1");

function rawConn(socket?: Socket): Conn {
  const s = socket ?? connect(Number(url.port), url.hostname);
  s.setNoDelay(true);
  const intended: number[] = [];
  let buffered = "";
  const conn: Conn = {
    send(ms) {
      intended.push(ms);
      s.write(REQUEST);
    },
  };
  s.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("latin1");
    for (let end = buffered.indexOf("\r\n\r\n"); end !== -1; end = buffered.indexOf("\r\n\r\n")) {
      const length = Number(/content-length: *(\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      buffered = buffered.slice(end + 4 + length);
      completed(conn, intended.shift()!);
    }
  });
  return conn;
}

function undiciConn(): Conn {
  const client = new Client(url.origin, { pipelining: 1 });
  const options = { path: url.pathname, method: "GET" as const, headers: {}, headersTimeout: 0, bodyTimeout: 0 };
  const conn: Conn = {
    send(ms) {
      client.dispatch(options, {
        onConnect() {},
        onHeaders: () => true,
        onData: () => true,
        onError(err: Error) {
          throw err;
        },
        onComplete: () => completed(conn, ms),
      });
    },
  };
  return conn;
}

const newConn = values.client === "undici" ? undiciConn : () => rawConn();

/** A new connection while fewer than `max` exist: all busy then means all `max` requests are in flight. */
function openConn(): Conn | undefined {
  if (opened >= max) return undefined;
  opened++;
  return newConn();
}

// Connections opened ahead, one per VU it may hold as Loadline's open executors do (an undici Client connects at its first request).
const ahead = max;
if (values.client === "undici") for (let i = 0; i < ahead; i++) idle.push(undiciConn());
else
  for (let i = 0; i < ahead; i++)
    idle.push(
      rawConn(
        await new Promise<Socket>((resolve) =>
          connect(Number(url.port), url.hostname).once("connect", function (this: Socket) {
            resolve(this);
          }),
        ),
      ),
    );
opened = ahead;

const intervalMs = 1000 / rate;
const total = Math.round(rate * durationSec);
const startMs = performance.now() + 50;
const steadyFromMs = startMs + STEADY_AFTER_MS;
let next = 0;

function pump(): void {
  const now = performance.now();
  while (next < total && startMs + next * intervalMs <= now) {
    const intended = startMs + next++ * intervalMs;
    const conn = idle.pop() ?? openConn();
    // Every connection busy, and no more allowed: dropped, as an arrival finding every VU busy is.
    if (!conn) {
      dropped++;
      if (intended >= steadyFromMs) steadyDropped++;
      continue;
    }
    conn.send(intended);
  }
  if (next >= total) return void setTimeout(finish, 0);
  const wait = startMs + next * intervalMs - now;
  if (wait > 1.5) setTimeout(pump, wait - 1.5);
  else setImmediate(pump);
}

function finish(): void {
  if (done + dropped < total) return void setTimeout(finish, 5);
  const seconds = (performance.now() - startMs) / 1000;
  const msAt = (p: number) => histogram.getValueAtPercentile(p) / 1000;
  console.log(
    JSON.stringify({
      requests: done,
      durationSec: seconds,
      rps: Math.round(done / seconds),
      p50Ms: msAt(50),
      p99Ms: msAt(99),
      maxMs: histogram.maxValue / 1000,
      failures: 0,
      droppedIterations: dropped,
      steadyP99Ms: steady.getValueAtPercentile(99) / 1000,
      steadyDropped,
    }),
  );
  process.exit(0);
}

pump();
