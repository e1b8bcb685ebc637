import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { RunView } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { connectNats, DEFAULT_STREAM_OPTIONS, type Namespace, type NatsConnection } from "@loadline/nats";
import { TEST_NATS_URL } from "@loadline/nats/testing";
import { jetstreamManager } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareExport } from "../src/commands/events/export.ts";
import { importEvents } from "../src/commands/events/import.ts";
import { EventsCommandError } from "../src/commands/events/shared.ts";
import { tailEvents } from "../src/commands/events/tail.ts";
import { parseEventsFile } from "../src/events-file.ts";
import { type StackFixture, startTestStack } from "./fixture.ts";

const root = fileURLToPath(new URL("../../..", import.meta.url));

let a: StackFixture; // where the run happens
let b: StackFixture; // where it is imported
let nc: NatsConnection;
let dir: string;
let run: RunView;
let exportFile: string;

type CliResult = { code: number | null; stdout: string; stderr: string };

/** The real entry point, as an operator runs it, in namespace `ns`; killed if it outlives `timeoutMs`. */
function cli(
  ns: Namespace,
  args: string[],
  opts: { stdin?: string; timeoutMs?: number; onStderr?: (text: string) => void } = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, ["--import", "tsx", "packages/loadline/src/cli.ts", "events", ...args], {
    cwd: root,
    env: { ...process.env, NATS_URL: TEST_NATS_URL, LL_NAMESPACE: ns.prefix, LOG_LEVEL: "warn" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    opts.onStderr?.(stderr);
  });
  child.stdin.end(opts.stdin ?? "");
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
  return new Promise((resolve) =>
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

async function get<T>(f: StackFixture, path: string): Promise<T> {
  const res = await f.api.fetch(`${path}`);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** Until both projections have applied everything their streams hold. */
function caughtUp(f: StackFixture): Promise<true> {
  return eventually(async () => {
    const { items } = await get<{ items: { lag: number }[] }>(f, "/v1/projections");
    return items.length === 2 && items.every((p) => p.lag === 0);
  }, 15_000);
}

const lastSeq = async (ns: Namespace) => (await (await jetstreamManager(nc)).streams.info(ns.streams.events)).state.last_seq;

beforeAll(async () => {
  [a, b] = await Promise.all([startTestStack(), startTestStack()]);
  nc = await connectNats(TEST_NATS_URL, "events-cli-test");
  dir = mkdtempSync(join(tmpdir(), "loadline-events-"));
  exportFile = join(dir, "run.ndjson");
  const test = await a.api.createLoadTest({
    name: "exported",
    targetUrl: a.stack.demoTarget!.url,
    requests: [{ name: "fixed", method: "GET", path: "/fixed?ms=5" }],
    defaultUsers: 3,
    defaultSpawnRate: 10,
    defaultDurationSec: 2,
  });
  run = await a.api.waitForEnd((await a.api.startRun(test.id)).id, 30_000);
  await caughtUp(a);
}, 90_000);

afterAll(async () => {
  await nc?.drain();
  await Promise.all([a?.close(), b?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe("loadline events", () => {
  it("Export/import round trip. A run exported and imported gives the same aggregate.", async () => {
    expect(run.status).toBe("Completed");
    const exported = await cli(a.stack.ns, ["export", "--run", run.id, "--out", exportFile]);
    expect(exported.stderr).toContain(`exported run ${run.id}`);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe("");

    const file = parseEventsFile(readFileSync(exportFile, "utf8").split("\n"));
    expect(file.header).toMatchObject({ namespace: a.stack.ns.prefix, runId: run.id, loadTestId: run.loadTestId, tenantId: "default" });
    expect(file.header.counts.metrics).toBeGreaterThan(0);
    expect(file.records.map((r) => r.event.type)).toContain("load-test.created");
    // To stdout: the same file and nothing else (messages go to stderr).
    const piped = await cli(a.stack.ns, ["export", "--run", run.id]);
    expect(piped.code).toBe(0);
    expect(parseEventsFile(piped.stdout.split("\n")).records).toEqual(file.records);

    const summary = await importEvents(nc, b.stack.ns, file, DEFAULT_STREAM_OPTIONS);
    expect(summary).toEqual({
      runId: run.id,
      events: { published: file.header.counts.events, skipped: 0 },
      metrics: { published: file.header.counts.metrics, duplicates: 0 },
    });

    await eventually(() => b.api.run(run.id), 15_000);
    await caughtUp(b);
    expect(await b.api.aggregate(run.id)).toEqual(await a.api.aggregate(run.id));
    expect(await b.api.run(run.id)).toEqual(await a.api.run(run.id));
    expect(await b.api.timeseries(run.id)).toEqual(await a.api.timeseries(run.id));
    expect(await get(b, `/v1/load-tests/${run.loadTestId}`)).toEqual(await get(a, `/v1/load-tests/${run.loadTestId}`));

    // Again: every aggregate is already there with the same events, the windows dedupe.
    const again = await importEvents(nc, b.stack.ns, file, DEFAULT_STREAM_OPTIONS);
    expect(again).toEqual({
      runId: run.id,
      events: { published: 0, skipped: file.header.counts.events },
      metrics: { published: 0, duplicates: file.header.counts.metrics },
    });
  });

  it("refuses to import another history of an aggregate the target holds, publishing nothing", async () => {
    const lines = readFileSync(exportFile, "utf8").trimEnd().split("\n");
    const at = lines.findIndex((l) => l.includes('"type":"run.completed"'));
    const altered = JSON.parse(lines[at]!) as { event: { id: string } };
    altered.event.id = "0196f3a0-0000-7000-8000-000000000000";
    lines[at] = JSON.stringify(altered);
    const before = await lastSeq(b.stack.ns);
    await expect(importEvents(nc, b.stack.ns, parseEventsFile(lines), DEFAULT_STREAM_OPTIONS)).rejects.toThrow(
      new RegExp(`another history of: run ${run.id}.*Nothing was imported`),
    );
    expect(await lastSeq(b.stack.ns)).toBe(before);
  });

  it("exits 2 naming the line of a malformed file, and imports nothing", async () => {
    const lines = readFileSync(exportFile, "utf8").trimEnd().split("\n");
    lines[2] = lines[2]!.replace('"seq":', '"seq":"x", "was":');
    const before = await lastSeq(b.stack.ns);
    const result = await cli(b.stack.ns, ["import"], { stdin: `${lines.join("\n")}\n` });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^stdin: line 3: .*seq.*Nothing was imported/s);
    expect(await lastSeq(b.stack.ns)).toBe(before);

    writeFileSync(join(dir, "empty.ndjson"), "");
    const empty = await cli(b.stack.ns, ["import", "--in", join(dir, "empty.ndjson")]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("line 1: empty file");
  });

  it("exports nothing and says so for a run that has no events", async () => {
    await expect(prepareExport(nc, a.stack.ns, { runId: "no-such-run" }, () => undefined)).rejects.toEqual(
      new EventsCommandError(1, `run no-such-run has no events in namespace ${a.stack.ns.prefix}`),
    );
    const result = await cli(a.stack.ns, ["export", "--run", "no-such-run", "--out", join(dir, "none.ndjson")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("run no-such-run has no events");
  });

  it("tail prints an event appended after it started, then stops at --limit", async () => {
    let started!: () => void;
    const ready = new Promise<void>((resolve) => (started = resolve));
    const tail = cli(a.stack.ns, ["tail", "--limit", "1"], { onStderr: (text) => text.includes("following") && started() });
    await ready;
    const test = await a.api.createLoadTest({
      name: "tailed",
      targetUrl: "http://127.0.0.1:9",
      requests: [{ method: "GET", path: "/" }],
      defaultUsers: 1,
      defaultSpawnRate: 1,
      defaultDurationSec: 1,
    });
    const result = await tail;
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      stream: "events",
      subject: `evt.default.load-test.${test.id}`,
      event: { type: "load-test.created", aggregate: { type: "load-test", id: test.id } },
    });
  });

  it("tail follows metric windows from the start with --subject 'met.>', and stops on its signal", async () => {
    const lines: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().trimEnd().split("\n"));
        done();
      },
    });
    const printed = await tailEvents(nc, a.stack.ns, { subject: "met.>", fromStart: true, limit: 2 }, out);
    expect(printed).toBe(2);
    expect(lines.map((l) => (JSON.parse(l) as { stream: string; event: { type: string } }).event.type)).toEqual([
      "metrics.window",
      "metrics.window",
    ]);

    const stop = new AbortController();
    const following = tailEvents(nc, a.stack.ns, { signal: stop.signal, onReady: () => stop.abort() }, out);
    await expect(following).resolves.toBe(0);
  });
});
