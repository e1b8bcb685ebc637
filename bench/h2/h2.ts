// The h2 section: Loadline multiplexing its VUs as HTTP/2 streams over one connection, beside
// h2load with as many streams on one connection, against run.sh's nginx (h2 over TLS, a
// self-signed certificate both are told to accept), one after the other in the same run.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "@loadline/core";
import { loadline, loadlineAvailable, measure, onPath, RAW } from "../measure.ts";
import type { Outcome } from "../report.ts";
import { agreedProtocol, h2loadCommand, parseH2load } from "../tools/h2load.ts";
import type { H2Data } from "./h2-table.ts";

const IN_FLIGHT = 64;

export async function h2Section(h2Url: string, durationSec: number): Promise<H2Data> {
  const d: H2Data = { durationSec, inFlight: IN_FLIGHT, rows: [] };
  const nginx = { targetPid: Number(process.env.BENCH_NGINX_PID) || undefined };
  const missing = h2Url ? undefined : "no nginx h2 URL (run through bench/run.sh)";
  const row = (tool: string, setup: string, r: { outcome: Outcome; raw?: { stdout: string } }) =>
    d.rows.push({ tool, setup, protocol: r.raw ? agreedProtocol(r.raw.stdout) : undefined, outcome: r.outcome });

  const loadlineMissing = missing ?? loadlineAvailable();
  if (loadlineMissing) d.rows.push({ tool: "loadline", setup: "", outcome: { ok: false, reason: loadlineMissing } });
  else
    row(
      "loadline",
      `${IN_FLIGHT} VUs, 1 thread, --http2 --insecure`,
      await loadline("h2-loadline", { url: h2Url, connections: IN_FLIGHT, durationSec, threads: 1, http2: true, insecure: true }, nginx),
    );
  await sleep(1000);

  const h2loadMissing = missing ?? (onPath("h2load") ? undefined : "h2load not installed (nghttp2-client)");
  if (h2loadMissing) d.rows.push({ tool: "h2load", setup: "", outcome: { ok: false, reason: h2loadMissing } });
  else {
    // Its log (a line a request) is read for the percentiles, then dropped: it runs to tens of MB.
    const logFile = join(RAW, "h2-h2load.log");
    const o = { url: h2Url, connections: 1, streams: IN_FLIGHT, durationSec, logFile };
    const r = await measure("h2-h2load", h2loadCommand(o), (out) => parseH2load(out, readFileSync(logFile, "utf8")), durationSec, nginx);
    rmSync(logFile, { force: true });
    row("h2load", `-c1 -m${IN_FLIGHT} -t1`, r);
  }
  return d;
}
