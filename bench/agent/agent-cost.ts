// Section "agent": what the control agent costs the host it watches, beside Prometheus' node
// exporter (Debian's prometheus-node-exporter) scraped at the same 1 Hz, measured in the same run:
// each process's CPU (utime + stime from /proc over the measured span, in % of one core) and RSS.
// The agent runs as the image runs it (its esbuild bundle on plain Node, built here), and from
// source under tsx beside it, each sending its telemetry (host from /proc, two watched processes)
// to NATS every second; the exporter serves its default collectors, and the harness scrapes it as
// Prometheus would.
// Usage: node --import tsx bench/agent/agent-cost.ts [--seconds N]

import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { sleep } from "@loadline/core";
import { ensureStreams, subjects } from "@loadline/nats";
import { startService, stopService, waitReady } from "loadline/testing";
import { benchNamespace } from "../lib/bench-nats.ts";
import { parsePidStat } from "../lib/cpu.ts";
import { parseStatus } from "../lib/rss.ts";
import { fmt, markdownTable } from "../lib/table.ts";
import { Cleanups, loadAverage, machineLine, parseFlags, runStandalone, section, log as stderrLog } from "../read-side/bench-util.ts";

const NODE_EXPORTER = "/usr/bin/prometheus-node-exporter";

export type AgentCostRow = {
  system: string;
  collects: string;
  cpuPercent: number | null;
  rssMiB: number | null;
  perSecond: number;
  note: string;
};
export type AgentCostData = {
  seconds: number;
  machine: string;
  loadAverageBefore: string;
  loadAverageAfter: string;
  rows: AgentCostRow[];
  failure?: string;
};
export type AgentCostOptions = { seconds?: number; natsUrl?: string; log?: (m: string) => void; cleanups?: Cleanups };

/** A process's CPU ticks (utime + stime) and RSS, from /proc. */
function usage(pid: number): { ticks: number; rssBytes: number } {
  const rssKb = parseStatus(readFileSync(`/proc/${pid}/status`, "utf8"))?.rssKb ?? 0;
  return { ticks: parsePidStat(readFileSync(`/proc/${pid}/stat`, "utf8")), rssBytes: rssKb * 1024 };
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

export async function runAgentCostBench(o: AgentCostOptions = {}): Promise<AgentCostData> {
  const log = o.log ?? stderrLog;
  const say = (m: string) => log(`agent: ${m}`);
  const seconds = o.seconds ?? 30;
  const data: AgentCostData = { seconds, machine: machineLine(), loadAverageBefore: loadAverage(), loadAverageAfter: "", rows: [] };
  const cleanups = new Cleanups();
  o.cleanups?.add("agent section", () => cleanups.runAll(say));
  const natsUrl = o.natsUrl ?? process.env.NATS_URL ?? "nats://127.0.0.1:4222";
  return section(data, say, cleanups, async () => {
    const { ns, nc, jsm } = await benchNamespace(natsUrl, "bench-agent", cleanups);
    await ensureStreams(jsm, ns, { metricsMaxAgeMs: 3600_000, replicas: 1 }); // the orchestrator's job when one runs
    const dir = mkdtempSync(join(tmpdir(), "bench-agent-"));
    const agentConfig = (agentId: string) => {
      const file = join(dir, `${agentId}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          agentId,
          labels: { service: "bench" },
          intervalMs: 1000,
          processes: [
            { name: "nats-server", match: { comm: "nats-server" } },
            { name: "postgres", match: { comm: "postgres" } },
          ],
          actions: [],
        }),
      );
      return file;
    };
    const telemetry = new Map<string, number>();
    const sub = nc.subscribe(subjects.tenantTelemetry(ns, "default"), {
      callback: (_err, m) => {
        const agentId = m.subject.split(".").at(-2) ?? "";
        telemetry.set(agentId, (telemetry.get(agentId) ?? 0) + 1);
      },
    });
    cleanups.add("telemetry subscription", async () => sub.unsubscribe());
    const env = { NATS_URL: natsUrl, LL_NAMESPACE: ns.prefix, LOG_LEVEL: "warn" };
    // As the image runs it: the bundle scripts/build-service.mjs makes, on plain Node.
    // Beside its package (dist/, as `npm run build` puts it): its npm dependencies resolve from there.
    const bundleDir = join(process.cwd(), "packages/agent/dist");
    execFileSync(process.execPath, [join(process.cwd(), "scripts/build-service.mjs"), bundleDir], {
      cwd: join(process.cwd(), "packages/agent"),
    });
    const bundled = spawn(process.execPath, ["--enable-source-maps", join(bundleDir, "main.js")], {
      env: { ...process.env, ...env, PORT: "0", LL_AGENT_CONFIG: agentConfig("agent-bundle") },
      stdio: "ignore",
    });
    cleanups.add("bundled agent", async () => void bundled.kill());
    const fromSource = await startService("agent", { ...env, LL_AGENT_CONFIG: agentConfig("agent-source") });
    cleanups.add("agent", () => stopService(fromSource));
    await waitReady(fromSource);

    let exporterPid: number | undefined;
    let scrapes = 0;
    let scrapeBytes = 0;
    let scraping = true;
    try {
      readFileSync(NODE_EXPORTER); // there to run?
      const port = await freePort();
      const exporter = spawn(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${port}`], { stdio: "ignore" });
      exporterPid = exporter.pid;
      cleanups.add("node exporter", async () => void exporter.kill());
      // As Prometheus would, every second: the exporter collects when it is scraped.
      void (async () => {
        while (scraping) {
          const started = Date.now();
          try {
            const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
            scrapeBytes += body.length;
            scrapes++;
          } catch {
            // not up yet
          }
          await sleep(Math.max(0, 1000 - (Date.now() - started)));
        }
      })();
      cleanups.add("scraper", async () => void (scraping = false));
    } catch {
      say(`no ${NODE_EXPORTER} (apt-get install prometheus-node-exporter): its row says not available`);
    }

    say(`warming up 5 s, then measuring ${seconds} s`);
    await sleep(5_000);
    const pids = { bundle: bundled.pid!, source: fromSource.child.pid! };
    const before = { bundle: usage(pids.bundle), source: usage(pids.source), exporter: exporterPid ? usage(exporterPid) : undefined };
    const counts = { telemetry: new Map(telemetry), scrapes, scrapeBytes };
    const t0 = Date.now();
    await sleep(seconds * 1000);
    const span = (Date.now() - t0) / 1000;
    const after = { bundle: usage(pids.bundle), source: usage(pids.source), exporter: exporterPid ? usage(exporterPid) : undefined };
    scraping = false;
    const cpu = (a: { ticks: number }, b: { ticks: number }) => ((b.ticks - a.ticks) / 100 / span) * 100;
    const sent = (agentId: string) => ((telemetry.get(agentId) ?? 0) - (counts.telemetry.get(agentId) ?? 0)) / span;
    const collects = "host CPU by mode, memory, load, network, disk; 2 processes (CPU, RSS, threads, open files)";
    data.rows.push({
      system: "Loadline agent (bundle, as deployed)",
      collects,
      cpuPercent: cpu(before.bundle, after.bundle),
      rssMiB: after.bundle.rssBytes / 2 ** 20,
      perSecond: sent("agent-bundle"),
      note: "telemetry events/s published to NATS (JetStream)",
    });
    data.rows.push({
      system: "Loadline agent (from source, tsx)",
      collects,
      cpuPercent: cpu(before.source, after.source),
      rssMiB: after.source.rssBytes / 2 ** 20,
      perSecond: sent("agent-source"),
      note: "the same; tsx's module loader thread stays up beside it",
    });
    data.rows.push({
      system: "prometheus-node-exporter",
      collects: "its default collectors",
      cpuPercent: before.exporter && after.exporter ? cpu(before.exporter, after.exporter) : null,
      rssMiB: after.exporter ? after.exporter.rssBytes / 2 ** 20 : null,
      perSecond: (scrapes - counts.scrapes) / span,
      note: `scrapes/s, ${fmt((scrapeBytes - counts.scrapeBytes) / Math.max(1, scrapes - counts.scrapes) / 1024, 0)} KiB each`,
    });
  });
}

export function agentCostTable(d: AgentCostData): string {
  const na = (v: number | null, decimals: number) => (v === null ? "n/a" : fmt(v, decimals));
  return [
    `### Agent — what watching a host costs it, at 1 Hz, measured over ${d.seconds} s`,
    "",
    `${d.machine}. Load average before ${d.loadAverageBefore}, after ${d.loadAverageAfter}.`,
    "",
    d.failure
      ? `Not available: ${d.failure}`
      : markdownTable(
          ["system", "collects", "CPU % of one core", "RSS MiB", "per second", "what per second counts", "goal"],
          d.rows.map((r) => [
            r.system,
            r.collects,
            na(r.cpuPercent, 2),
            na(r.rssMiB, 0),
            fmt(r.perSecond, 2),
            r.note,
            r.system.endsWith("as deployed)") ? `< 1% of a core: ${r.cpuPercent !== null && r.cpuPercent < 1 ? "PASS" : "MISS"}` : "",
          ]),
          [false, false, true, true, true, false, false],
        ),
    "",
    "CPU is the process's utime + stime from /proc over the span (after 5 s of warm-up), RSS at its end. The goal is",
    "the deployed agent's: the image runs the bundle (infra/docker/entrypoint.sh).",
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runStandalone(async (cleanups) => {
    const f = parseFlags(process.argv.slice(2), { seconds: "number" });
    return agentCostTable(await runAgentCostBench({ seconds: f.seconds as number | undefined, cleanups }));
  });
}
