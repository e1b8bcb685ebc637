import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadTestSpec } from "@loadline/core";
import { createLogger, loadConfig } from "@loadline/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../src/commands/run.ts";
import { type StackFixture, startTestStack } from "./fixture.ts";

/**
 * Groups and tags through the whole stack: a group's passes are a row of their own (method
 * GROUP) beside its requests, and out of the totals; a step's tags show on its endpoint row and
 * scope thresholds (`{tag:kind=api}`), judged on the exact merged windows.
 */
let f: StackFixture;
beforeAll(async () => {
  f = await startTestStack();
});
afterAll(() => f?.close());

const VUS = 3;
const ITERATIONS = 4;

describe("groups and tags on the stack", () => {
  it("times the group apart from the totals, shows the tags on the rows and judges thresholds scoped by tag", async () => {
    const request = (name: string, url: string, extra: Record<string, unknown>) => ({
      type: "request",
      name,
      method: "GET",
      url,
      timeoutMs: 5000,
      checks: [],
      extract: [],
      ...extra,
    });
    const spec = {
      name: "groups and tags",
      tags: [],
      targetUrl: f.stack.demoTarget!.url,
      scenarios: [
        {
          name: "shop",
          weight: 1,
          variables: {},
          steps: [
            request("list", "/fixed?ms=2", { group: "browse", tags: { kind: "api" } }),
            { type: "think", distribution: "constant", ms: 5, group: "browse" },
            request("item", "/fixed?ms=1", { group: "browse", tags: { kind: "api", page: "item" } }),
            request("flaky", "/error?rate=1&ms=1", { tags: { kind: "flaky" } }),
          ],
        },
      ],
      workload: { type: "per-vu-iterations", vus: VUS, iterations: ITERATIONS, maxDurationSec: 60 },
      thresholds: {
        "error_rate{tag:kind=api}": ["rate == 0"],
        "error_rate{tag:kind=flaky}": ["rate > 0.99"],
        "latency{tag:page=item}": ["p(99) < 5000"],
      },
    } as unknown as LoadTestSpec;
    const test = await f.api.createLoadTest(spec);
    const run = await f.api.waitForEnd((await f.api.startRun(test.id)).id, 60_000);
    expect(run.status, run.reason ?? "").toBe("Completed");
    await f.api.waitForProjections(10_000);
    const judged = await f.api.waitForVerdict(run.id, 15_000);

    const n = VUS * ITERATIONS;
    const aggregate = await f.api.aggregate(run.id);
    // Totals are the requests': the group's passes are not requests.
    expect(aggregate.requests).toBe(3 * n);
    expect(aggregate.failures).toBe(n);
    const rows = Object.fromEntries(aggregate.endpoints.map((e) => [`${e.method} ${e.name}`, e]));
    expect(Object.keys(rows).sort()).toEqual(["GET flaky", "GET item", "GET list", "GROUP browse"]);
    const browse = rows["GROUP browse"]!;
    expect(browse.requests).toBe(n);
    expect(browse.failures).toBe(0);
    // A pass holds both requests and the think time between them.
    expect(browse.latency.min).toBeGreaterThanOrEqual(5 + 2 + 1);
    expect(rows["GET list"]!.tags).toEqual({ kind: "api" });
    expect(rows["GET item"]!.tags).toEqual({ kind: "api", page: "item" });
    expect(rows["GET flaky"]!.tags).toEqual({ kind: "flaky" });
    expect(browse.tags).toBeUndefined();

    // Thresholds scoped by tag: the api requests never failed, the flaky one always did.
    expect(judged.verdict).toBe("passed");
    const observed = Object.fromEntries(judged.thresholds.map((t) => [t.metric, t.observed]));
    expect(observed).toEqual({
      "error_rate{tag:kind=api}": 0,
      "error_rate{tag:kind=flaky}": 1,
      "latency{tag:page=item}": expect.any(Number),
    });
  });

  it("runs the example file: its setup, group block, tags and tag thresholds, through the CLI", async () => {
    const dir = mkdtempSync(join(tmpdir(), "loadline-shop-"));
    const example = fileURLToPath(new URL("../../../examples/signed-in-shop.yaml", import.meta.url));
    const file = join(dir, "shop.yaml");
    writeFileSync(file, readFileSync(example, "utf8").replace("http://127.0.0.1:3000", f.stack.demoTarget!.url));
    const ctx = { config: loadConfig({}), log: createLogger("test", "silent"), port: 0, dataDir: f.dataDir };
    const before = f.stack.demoTarget!.received();
    expect(await run(ctx, file, f.stack.apiUrl)).toBe(0);
    const { items } = (await (await f.api.fetch("/v1/runs")).json()) as { items: { id: string }[] };
    const ended = await f.api.waitForVerdict(items[0]!.id, 15_000);
    expect(ended.verdict).toBe("passed");
    expect(ended.phases.setup?.requests.map((r) => r.status)).toEqual([200]);
    expect(ended.phases.teardown?.requests.map((r) => r.status)).toEqual([200]);
    expect((f.stack.demoTarget!.received()["/login"] ?? 0) - (before["/login"] ?? 0)).toBe(1);
    const { endpoints } = await f.api.endpoints(ended.id);
    expect(Object.fromEntries(endpoints.map((e) => [`${e.method} ${e.name}`, e.requests]))).toEqual({
      "GET flaky": 40,
      "GET item": 40,
      "GET me": 40,
      "GROUP browse": 40,
    });
  });
});
