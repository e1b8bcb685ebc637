// Section "start": how soon a run's first request reaches the target after its run.start
// command, with one real worker: the orchestrator and the worker are the deployed processes
// (loadline/testing), the target notes when each run's first request arrives, on the harness's
// clock like the command's. Each try is a fresh run of 1 VU for 1 s on an idle worker; its
// events, read as they are appended, split the time into where it goes: planning, the worker's
// preparation, the ready barrier and the start lead.
// Usage: node --import tsx bench/start/start.ts [--tries N]

import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { type CommandEnvelope, createCommand, newId, parseEvent, sleep } from "@loadline/core";
import { CommandBus, ensureStreams, subjects } from "@loadline/nats";
import { DeliverPolicy, jetstream } from "@nats-io/jetstream";
import { startService, stopService, waitReady } from "loadline/testing";
import type { RunTimes } from "../fleet/fleet-data.ts";
import { startTarget } from "../fleet/fleet-sim.ts";
import { benchNamespace } from "../lib/bench-nats.ts";
import { Cleanups, loadAverage, machineLine, parseFlags, runStandalone, section, log as stderrLog } from "../read-side/bench-util.ts";
import { type StartData, type StartTry, startTable } from "./start-table.ts";

export type StartOptions = { tries?: number; natsUrl?: string; log?: (m: string) => void; cleanups?: Cleanups };

/** Steps of a try, from the events as the harness saw them (ms since the command). */
type Seen = { assigned?: number; ready?: number; started?: number; ended?: number };

export async function runStartBench(o: StartOptions = {}): Promise<StartData> {
  const log = o.log ?? stderrLog;
  const say = (m: string) => log(`start: ${m}`);
  const tries = o.tries ?? 20;
  const data: StartData = { tries: [], machine: machineLine(), loadAverageBefore: loadAverage(), loadAverageAfter: "" };
  const cleanups = new Cleanups();
  o.cleanups?.add("start section", () => cleanups.runAll(say));
  const natsUrl = o.natsUrl ?? process.env.NATS_URL ?? "nats://127.0.0.1:4222";
  return section(data, say, cleanups, async () => {
    const { ns, nc, jsm } = await benchNamespace(natsUrl, "bench-start", cleanups);
    const times = new Map<string, RunTimes>();
    const target = await startTarget(times);
    cleanups.add("target", () => new Promise((r) => target.server.close(() => r(undefined))));
    const env = { NATS_URL: natsUrl, LL_NAMESPACE: ns.prefix, LOG_LEVEL: "warn" };
    const orchestrator = await startService("orchestrator", { ...env, LL_TARGETS_ALLOW: "127.0.0.1", LL_TARGETS_LOOPBACK: "true" });
    cleanups.add("orchestrator", () => stopService(orchestrator));
    await waitReady(orchestrator);
    await ensureStreams(jsm, ns, { metricsMaxAgeMs: 3600_000, replicas: 1 });
    const worker = await startService("worker", { ...env, LL_WORKER_THREADS: "1" });
    cleanups.add("worker", () => stopService(worker));
    await waitReady(worker);
    await sleep(2_000); // the orchestrator hears the worker's heartbeat

    // Every run event as it is appended, noted against its try's command time.
    const seen = new Map<string, Seen>();
    const info = await jsm.streams.info(ns.streams.events);
    const consumer = await jetstream(nc).consumers.get(ns.streams.events, {
      filter_subjects: subjects.eventsOfType(ns, "run"),
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: info.state.last_seq + 1,
    });
    const messages = await consumer.consume({ max_messages: 1000 });
    cleanups.add("event consumer", () => messages.close());
    void (async () => {
      for await (const m of messages) {
        const e = parseEvent(m.json());
        const t = times.get(e.aggregate.id);
        const s = seen.get(e.aggregate.id);
        if (!t || !s) continue;
        const at = performance.now() - t.commandAt;
        if (e.type === "run.worker-assigned") s.assigned ??= at;
        else if (e.type === "run.workers-ready") s.ready ??= at;
        else if (e.type === "run.started") s.started ??= at;
        else if (e.type === "run.completed" || e.type === "run.failed" || e.type === "run.cancelled") s.ended = at;
      }
    })();

    const bus = new CommandBus(nc, ns);
    say(`${tries} runs of 1 VU for 1 s, one after the other, on one worker`);
    for (let i = 0; i < tries; i++) {
      const runId = newId();
      const loadTestId = newId();
      const spec = {
        name: "start bench",
        tags: [],
        targetUrl: target.url,
        requests: [{ method: "GET" as const, path: `/r/${runId}` }],
        defaultUsers: 1,
        defaultSpawnRate: 1000,
        defaultDurationSec: 1,
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
      seen.set(runId, {});
      times.set(runId, { commandAt: performance.now(), workers: new Set(), silentAt: new Map() });
      await bus.dispatch(
        createCommand({
          type: "run.start",
          tenantId: "default",
          aggregate: { type: "run", id: runId },
          data: { loadTestId, overrides: {} },
        }) as CommandEnvelope,
      );
      const deadline = Date.now() + 20_000;
      while (seen.get(runId)!.ended === undefined && Date.now() < deadline) await sleep(20);
      const t = times.get(runId)!;
      const s = seen.get(runId)!;
      const one: StartTry = {
        toFirstArrival: t.firstRequestAt === undefined ? undefined : t.firstRequestAt - t.commandAt,
        toAssigned: s.assigned,
        assignedToReady: s.ready !== undefined && s.assigned !== undefined ? s.ready - s.assigned : undefined,
        readyToStarted: s.started !== undefined && s.ready !== undefined ? s.started - s.ready : undefined,
        startedToFirstArrival:
          t.firstRequestAt !== undefined && s.started !== undefined ? t.firstRequestAt - t.commandAt - s.started : undefined,
      };
      data.tries.push(one);
      say(`try ${i + 1}: first request ${one.toFirstArrival?.toFixed(1) ?? "never"} ms after the command`);
      await sleep(2_000); // the worker settles (a run does not follow another within the second): the next try starts on an idle worker
    }
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runStandalone(async (cleanups) => {
    const f = parseFlags(process.argv.slice(2), { tries: "number" });
    return startTable(await runStartBench({ tries: f.tries as number | undefined, cleanups }));
  });
}
