import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { newId } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { JetStreamEventStore } from "@loadline/nats";
import { type TestNats, testNats } from "@loadline/nats/testing";
import { createLogger } from "@loadline/service";
import { jetstream } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCheckpoint } from "../src/checkpoints.ts";
import { type Database, openDatabase } from "../src/database.ts";
import { rebuildProjection } from "../src/rebuild.ts";
import { appendEvents, loadTestSpec, publishWindow, requestWindow, runCreated, tableChecksums } from "../src/test-fixtures.ts";
import { type TestDatabase, testDatabase } from "../src/testing.ts";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const log = createLogger("crash-test", process.env.TEST_LOG_LEVEL ?? "silent");

let env: TestNats;
let pg: TestDatabase;
let database: Database;

beforeAll(async () => {
  [env, pg] = await Promise.all([testNats(), testDatabase()]);
});
afterAll(async () => {
  await database?.close();
  await env?.cleanup();
  await pg?.drop();
});

/**
 * The projections service as its own process, as it is deployed, on a port it binds itself
 * (PORT=0): it logs the port it got ("projections listening"), and that is where it is asked.
 */
async function startProjections(): Promise<{ child: ChildProcess; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: { ...process.env, NATS_URL: env.url, DATABASE_URL: pg.url, LL_NAMESPACE: env.ns.prefix, PORT: "0", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "ignore"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let port: number | undefined;
  let pending = "";
  child.stdout!.on("data", (d: Buffer) => {
    const lines = (pending + d.toString()).split("\n");
    pending = lines.pop()!;
    for (const line of lines) {
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: unknown };
        if (entry.msg === "projections listening" && typeof entry.port === "number") port ??= entry.port;
      } catch {
        // not a log line
      }
    }
  });
  await eventually(
    () =>
      port !== undefined &&
      fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      ),
    30_000,
    100,
  );
  return { child, exited };
}

describe("a projections process killed with SIGKILL mid-ingest", () => {
  it("restarts into a read model equal, table by table, to a fresh rebuild", async () => {
    const js = jetstream(env.nc);
    const store = new JetStreamEventStore(env.nc, env.ns);
    let first = await startProjections();
    database = await openDatabase({ url: pg.url, poolSize: 2 });

    // Ingest in the background: runs and their windows, 4 workers × 3 names, while the process is killed.
    const tenant = "crash";
    // Recent seconds: the service prunes raw windows past LL_RAW_WINDOWS_MAX_AGE_DAYS when it starts.
    const s0 = Math.floor(Date.now() / 1000) - 3600;
    let lastEvent = 0;
    let lastWindow = 0;
    const ingest = (async () => {
      for (let r = 0; r < 4; r++) {
        const loadTestId = newId();
        await appendEvents(store, tenant, { type: "load-test", id: loadTestId }, [
          { type: "load-test.created", data: { spec: loadTestSpec() } },
        ]);
        const runId = newId();
        lastEvent = await appendEvents(store, tenant, { type: "run", id: runId }, [runCreated(loadTestId)]);
        for (let s = 0; s < 60; s++) {
          for (const workerId of ["w1", "w2", "w3", "w4"]) {
            const requests = ["home", "search", "login"].map((name, i) =>
              requestWindow(name, [500 + s * 7 + i * 1000, 2000 + r * 100, 30_000 + s], (s + i) % 7 === 0 ? 1 : 0),
            );
            lastWindow = await publishWindow(js, env.ns, tenant, { runId, workerId, second: s0 + s, activeUsers: 3, requests });
          }
        }
      }
    })();

    // Killed once it has applied some windows, and before it has applied them all.
    await eventually(async () => (await readCheckpoint(database.db, "metrics")) >= 150, 30_000, 5);
    first.child.kill("SIGKILL");
    await first.exited;
    const atKill = await readCheckpoint(database.db, "metrics");
    await ingest;
    expect(atKill).toBeLessThan(lastWindow);

    first = await startProjections();
    await eventually(
      async () =>
        (await readCheckpoint(database.db, "metrics")) >= lastWindow && (await readCheckpoint(database.db, "events")) >= lastEvent,
      60_000,
      50,
    );
    first.child.kill("SIGTERM");
    await first.exited;

    const restarted = await tableChecksums(database.db);
    expect(restarted.metric_windows!.rows).toBe(4 * 60 * 4);
    for (const name of ["events", "metrics"]) await rebuildProjection({ url: pg.url, nc: env.nc, ns: env.ns, log, name });
    expect(await tableChecksums(database.db)).toEqual(restarted);
  });
});
