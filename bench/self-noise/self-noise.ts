// The self-noise section (issue 24): how much latency and rate the generator itself takes away.
// Open-model runs against run.sh's nginx (answers in µs: whatever else shows is the generator's)
// at a quiet, a busy and a throughput rate, each beside the floor of a Node generator on this
// host (floor.ts: the same open model over raw sockets, and over undici's Client) and of any
// generator (floor.c: the same in C); one against the 20 ms delay target, whose own timings
// (/__stats) are set beside the generator's and the C floor's; a closed loop beside autocannon.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "@loadline/core";
import { startTarget } from "../lib/proc.ts";
import { BENCH, getJson, loadline, measure, ROOT, TARGET_CPU } from "../measure.ts";
import type { Outcome } from "../report-outcome.ts";
import { autocannonCommand, parseAutocannon } from "../tools/autocannon.ts";
import { type FloorClient, floorCommand, parseFloor } from "../tools/floor.ts";
import { FLOOR_GENERATORS, type OpenCase, type SelfNoiseData } from "./self-noise-table.ts";

const OPEN: { case: OpenCase; rate: number; maxVus: number }[] = [
  { case: "quiet", rate: 2000, maxVus: 400 },
  { case: "busy", rate: 20_000, maxVus: 400 },
  { case: "throughput", rate: 30_000, maxVus: 400 },
];
const CLOSED_CONNECTIONS = 64;
/** floor.c, built by bench/run.sh with the machine's C compiler. */
const C_FLOOR = process.env.BENCH_C_FLOOR;
const NO_C_FLOOR = "floor.c not built: bench/run.sh builds it with cc (apt-get install gcc)";
const PREALLOCATED = 100;
/** How long the delay target is loaded, unmeasured, before the runs against it. */
const DELAY_WARM_UP_SEC = 3;

export async function selfNoiseSection(nginxUrl: string, durationSec: number): Promise<SelfNoiseData> {
  const d: SelfNoiseData = { durationSec, open: [], closed: [] };
  const nginx = { targetPid: Number(process.env.BENCH_NGINX_PID) || undefined };
  const noNginx = nginxUrl ? undefined : "no nginx URL (run through bench/run.sh)";
  for (const o of OPEN) {
    const outcome = noNginx
      ? { ok: false as const, reason: noNginx }
      : (
          await loadline(
            `self-noise-${o.case}`,
            { url: nginxUrl, connections: PREALLOCATED, rate: o.rate, maxVus: o.maxVus, durationSec },
            nginx,
          )
        ).outcome;
    d.open.push({ ...o, target: "nginx", generator: "loadline", outcome });
    await sleep(1000);
    for (const client of Object.keys(FLOOR_GENERATORS) as FloorClient[]) {
      const missing = noNginx ?? (client === "c" && !C_FLOOR ? NO_C_FLOOR : undefined);
      const floor = missing
        ? { ok: false as const, reason: missing }
        : (
            await measure(
              `self-noise-${o.case}-floor-${client}`,
              floorCommand({ url: nginxUrl, rate: o.rate, durationSec, max: o.maxVus, client }, ROOT, C_FLOOR),
              parseFloor,
              durationSec,
              nginx,
            )
          ).outcome;
      d.open.push({ ...o, target: "nginx", generator: FLOOR_GENERATORS[client], outcome: floor });
      await sleep(1000);
    }
  }

  // Loadline, then the C floor, against the same delay target, each beside the target's own timings of its
  // requests: what the C floor adds to them is the host's and the target's, what Loadline adds beyond that its own.
  const delay = await startTarget(
    join(BENCH, "targets/delay-server.mjs"),
    ["--delay-ms", "20"],
    TARGET_CPU,
    2 * durationSec + DELAY_WARM_UP_SEC + 180,
  );
  try {
    const rate = 2000;
    const maxVus = 400;
    const target = "delay 20 ms (Node)";
    const withTargetTimings = async (generator: string, outcome: Outcome) => {
      const stats: { serverP99Ms: number | null } = await getJson(delay.url + "__stats");
      await getJson(delay.url + "__reset");
      d.open.push({ case: "delay", target, generator, rate, maxVus, outcome, targetP99Ms: stats.serverP99Ms });
    };
    const run = { targetPid: delay.pid };
    const cFloor = async (name: string, sec: number): Promise<Outcome> =>
      C_FLOOR
        ? (
            await measure(
              name,
              floorCommand({ url: delay.url, rate, durationSec: sec, max: maxVus, client: "c" }, ROOT, C_FLOOR),
              parseFloor,
              sec,
              run,
            )
          ).outcome
        : { ok: false, reason: NO_C_FLOOR };
    // The target warmed first, unmeasured: a Node server compiles its request path in its first seconds,
    // and the first generator against it paid for that (the whole run's p99 4 ms over the target's own
    // where the C floor right after it was within 0.3, and the p99 from 2 s on within 2).
    if (C_FLOOR) {
      await cFloor("self-noise-delay-warm-up", DELAY_WARM_UP_SEC);
      await getJson(delay.url + "__reset");
      await sleep(1000);
    }
    const r = await loadline("self-noise-delay", { url: delay.url, connections: PREALLOCATED, rate, maxVus, durationSec }, run);
    await withTargetTimings("loadline", r.outcome);
    await sleep(1000);
    await withTargetTimings(FLOOR_GENERATORS.c, await cFloor("self-noise-delay-floor-c", durationSec));
  } finally {
    await delay.stop();
  }
  await sleep(1000);

  // In turn ABBA: a drift of the host's speed over the four runs falls on both tools alike (a single
  // pair read 0.57× and 1.65× in slow and fast spells of this host, bench/results/self-noise.md).
  const o = { url: nginxUrl, connections: CLOSED_CONNECTIONS, durationSec };
  const autocannonMissing =
    noNginx ?? (existsSync(join(ROOT, "node_modules/.bin/autocannon")) ? undefined : "node_modules/.bin/autocannon not installed");
  const closedRun = async (tool: "loadline" | "autocannon", run: number): Promise<Outcome> => {
    if (tool === "loadline")
      return noNginx
        ? { ok: false, reason: noNginx }
        : (await loadline(`self-noise-closed-loadline-${run}`, { ...o, threads: 1 }, nginx)).outcome;
    if (autocannonMissing) return { ok: false, reason: autocannonMissing };
    return (await measure(`self-noise-closed-autocannon-${run}`, autocannonCommand(o, ROOT), parseAutocannon, durationSec, nginx)).outcome;
  };
  for (const [run, tool] of (["loadline", "autocannon", "autocannon", "loadline"] as const).entries()) {
    d.closed.push({ tool, connections: CLOSED_CONNECTIONS, outcome: await closedRun(tool, run + 1) });
    await sleep(1000);
  }
  return d;
}
