// Section "fleet": one orchestrator and 500 simulated workers. Two phases: runs on all 500 workers,
// one after another (the ready barrier at its widest), then 200 runs of 5 workers created in one
// burst (the orchestrator's throughput of starts). Prints the time from a run's command to its
// first request, and from its stop command to silence (every worker of the run has stopped
// sending), at p50 and p99.
//
// The orchestrator is the real one (a process of its own); the workers are simulations that speak its
// protocol: each heartbeats (core NATS and the workers bucket, as LoadWorker does), reports ready
// when assigned, starts sending one request every REQUEST_EVERY_MS to the target at the run's
// agreed start, and stops when it hears run.stopping. They share one NATS connection and one
// ordered consumer of the run events (a real worker has its own): what is measured is the
// control plane, not 500 processes' worth of HTTP.
// Usage: node --import tsx bench/fleet/fleet.ts [--workers N] [--wide-runs N] [--runs N] [--workers-per-run N]
//
// Here the section and its command line; fleet-sim.ts holds the target and the simulated workers,
// fleet-table.ts prints the table.

import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { type CommandData, type CommandEnvelope, type CommandInit, createCommand, newId, sleep } from "@loadline/core";
import { CommandBus, ensureStreams } from "@loadline/nats";
import { startService, stopService, waitReady } from "loadline/testing";
import { benchNamespace } from "../lib/bench-nats.ts";
import { Cleanups, loadAverage, machineLine, parseFlags, runStandalone, section, log as stderrLog } from "../read-side/bench-util.ts";
import {
  emptyPhase,
  FLEET_DEFAULTS,
  type FleetData,
  type FleetOptions,
  type PhaseTimes,
  REQUEST_EVERY_MS,
  type RunTimes,
} from "./fleet-data.ts";
import { SimFleet, startTarget } from "./fleet-sim.ts";
import { fleetTable } from "./fleet-table.ts";

export async function runFleetBench(o: FleetOptions = {}): Promise<FleetData> {
  const log = o.log ?? stderrLog;
  const say = (m: string) => log(`fleet: ${m}`);
  const cfg = { ...FLEET_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as typeof FLEET_DEFAULTS;
  const data: FleetData = {
    workers: cfg.workers,
    runs: cfg.runs,
    workersPerRun: cfg.workersPerRun,
    wideRuns: cfg.wideRuns,
    machine: machineLine(),
    loadAverageBefore: loadAverage(),
    loadAverageAfter: "",
    wide: emptyPhase(),
    burst: emptyPhase(),
  };
  const cleanups = new Cleanups();
  o.cleanups?.add("fleet section", () => cleanups.runAll(say));
  const natsUrl = o.natsUrl ?? process.env.NATS_URL ?? "nats://127.0.0.1:4222";
  return section(data, say, cleanups, async () => {
    const { ns, nc, jsm } = await benchNamespace(natsUrl, "bench-fleet", cleanups);
    const times = new Map<string, RunTimes>();
    const target = await startTarget(times);
    cleanups.add("target", () => new Promise((r) => target.server.close(() => r(undefined))));

    // The orchestrator as it is deployed: a process of its own (the simulated fleet's work here must not slow it). Its
    // tenants may load the target on loopback, and run every run of the section at once.
    const orchestrator = await startService("orchestrator", {
      NATS_URL: natsUrl,
      LL_NAMESPACE: ns.prefix,
      LOG_LEVEL: "warn",
      LL_TARGETS_ALLOW: "127.0.0.1,localhost",
      LL_TARGETS_LOOPBACK: "true",
      LL_QUOTA_MAX_CONCURRENT_RUNS: String(cfg.runs),
      LL_QUOTA_MAX_VUS: String(Math.max(cfg.workers * 2, cfg.vusPerRun)),
    });
    cleanups.add("orchestrator", async () => {
      await stopService(orchestrator);
      if (process.env.FLEET_LOG) process.stderr.write(orchestrator.output());
    });
    await waitReady(orchestrator);
    await ensureStreams(jsm, ns, { metricsMaxAgeMs: 3600_000, replicas: 1 }); // made by the orchestrator already: here only to wait for them

    const sims = new SimFleet(
      nc,
      ns,
      Array.from({ length: cfg.workers }, (_, i) => `sim-${String(i).padStart(3, "0")}`),
      target.url,
      times,
    );
    await sims.start();
    cleanups.add("simulated workers", () => sims.stop());
    say(`${cfg.workers} simulated workers heartbeating; waiting for the orchestrator to hear them all`);
    await sleep(2_000);

    const bus = new CommandBus(nc, ns);
    // Runs are started as the API starts them: run.start of a load test, which the orchestrator compiles into run.create.
    const loadTestId = newId();
    const spec = {
      name: "fleet bench",
      tags: [],
      targetUrl: target.url,
      requests: [{ method: "GET" as const, path: "/" }],
      defaultUsers: cfg.vusPerRun,
      defaultSpawnRate: 1000,
      defaultDurationSec: 600,
    };
    const created = await bus.send(
      createCommand({
        type: "load-test.create",
        tenantId: "default",
        aggregate: { type: "load-test", id: loadTestId },
        data: { spec },
      }) as CommandEnvelope,
    );
    if (!created.ok) throw new Error(`the orchestrator refused the load test: ${created.error.message}`);
    const command = <T extends "run.start" | "run.stop">(type: T, id: string, data: CommandData<T>) =>
      createCommand({ type, tenantId: "default", aggregate: { type: "run", id }, data } as CommandInit<T>) as CommandEnvelope;

    /** Starts the runs together, lets them send for `holdMs`, stops them together, and notes each one's times in `phase`. */
    const measure = async (runIds: string[], workers: number, vus: number, holdMs: number, phase: PhaseTimes) => {
      await Promise.all(
        runIds.map((id) => {
          times.set(id, { commandAt: performance.now(), workers: new Set(), silentAt: new Map() });
          const overrides = { targetUsers: vus, spawnRate: 1000, durationSec: 600 };
          return bus.dispatch(command("run.start", id, { loadTestId, overrides, placement: { workers } }));
        }),
      );
      const deadline = Date.now() + 60_000;
      while (runIds.some((id) => times.get(id)!.firstRequestAt === undefined) && Date.now() < deadline) await sleep(20);
      const running = runIds.filter((id) => times.get(id)!.firstRequestAt !== undefined);
      phase.runsFailed += runIds.length - running.length;
      await sleep(holdMs);
      await Promise.all(
        running.map((id) => {
          times.get(id)!.stopAt = performance.now();
          return bus.dispatch(command("run.stop", id, { reason: "requested" }));
        }),
      );
      const silent = (id: string) => times.get(id)!.silentAt.size >= times.get(id)!.workers.size;
      const stopDeadline = Date.now() + 30_000;
      while (!running.every(silent) && Date.now() < stopDeadline) await sleep(20);
      await sleep(REQUEST_EVERY_MS * 2); // requests already on their way still land
      for (const id of running) {
        const t = times.get(id)!;
        phase.toFirstRequest.push(t.firstSentAt! - t.commandAt);
        phase.toFirstArrival.push(t.firstRequestAt! - t.commandAt);
        if (t.assignedAt !== undefined) phase.toAssigned.push(t.assignedAt - t.commandAt);
        if (t.assignedAt !== undefined && t.startedSeenAt !== undefined) phase.assignedToStarted.push(t.startedSeenAt - t.assignedAt);
        if (silent(id)) phase.toSilence.push(Math.max(...t.silentAt.values()) - t.stopAt!);
        phase.toLastArrival.push(Math.max(0, t.lastArrivalAt! - t.stopAt!));
      }
    };

    say(`${cfg.wideRuns} runs of ${cfg.workers * 2} VUs, each on all ${cfg.workers} workers, one after another`);
    for (let i = 0; i < cfg.wideRuns; i++) await measure([newId()], cfg.workers, cfg.workers * 2, 1_000, data.wide);
    say(`${cfg.runs} runs of ${cfg.vusPerRun} VUs on ${cfg.workersPerRun} workers each, created together`);
    await measure(
      Array.from({ length: cfg.runs }, () => newId()),
      cfg.workersPerRun,
      cfg.vusPerRun,
      cfg.holdMs,
      data.burst,
    );
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runStandalone(async (cleanups) => {
    const f = parseFlags(process.argv.slice(2), { workers: "number", runs: "number", "workers-per-run": "number", "wide-runs": "number" });
    const data = await runFleetBench({
      workers: f.workers as number | undefined,
      runs: f.runs as number | undefined,
      workersPerRun: f["workers-per-run"] as number | undefined,
      wideRuns: f["wide-runs"] as number | undefined,
      cleanups,
    });
    return fleetTable(data);
  });
}
