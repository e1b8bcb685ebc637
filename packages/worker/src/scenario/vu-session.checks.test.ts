import type { Check } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { compile, runIteration } from "./test-scenario.ts";
import { useTestServer } from "./test-server.ts";

const { server, transport } = useTestServer();

const passing: Check[] = [
  { type: "status", in: [200, 204] },
  { type: "jsonPath", path: "$.method", exists: true },
  { type: "jsonPath", path: "$.missing", exists: false },
  { type: "jsonPath", path: "$.url", equals: "/echo" },
  { type: "bodyContains", value: '"method":"GET"' },
  { type: "header", name: "X-Trace", matches: "^trace-\\d+$" },
  { type: "latency", belowMs: 10_000 },
];
const failing: Check[] = [
  { type: "status", in: [201] },
  { type: "jsonPath", path: "$.missing", exists: true },
  { type: "jsonPath", path: "$.method", exists: false },
  { type: "jsonPath", path: "$.url", equals: "/other" },
  { type: "bodyContains", value: "nowhere" },
  { type: "header", name: "x-trace", matches: "^span-" },
  { type: "header", name: "x-absent", matches: ".*" },
  { type: "latency", belowMs: 0.000_001 },
];

const run = async (checks: Check[], url = "/echo") =>
  (await runIteration(compile({ steps: [{ type: "request", url, checks }] }, server.url).createSession(0), transport))[0]!;

describe("VuSession: checks", () => {
  it("counts every check type passing", async () => {
    expect(await run(passing)).toMatchObject({ status: 200, failure: null, checksPassed: passing.length, checksFailed: 0 });
  });

  it.each(failing.map((c) => [c.type, c] as const))("counts a failing %s check as failure check", async (_, check) => {
    expect(await run([...passing, check])).toMatchObject({ status: 200, failure: "check", checksPassed: passing.length, checksFailed: 1 });
  });

  it("counts several failing checks, the VU going on to the next step", async () => {
    const session = compile(
      {
        steps: [
          { type: "request", url: "/echo", checks: [...passing, ...failing] },
          { type: "request", url: "/echo", checks: [{ type: "status", in: [200] }] },
        ],
      },
      server.url,
    ).createSession(0);
    expect(await runIteration(session, transport)).toMatchObject([
      { failure: "check", checksPassed: passing.length, checksFailed: failing.length },
      { failure: null, checksPassed: 1, checksFailed: 0 },
    ]);
  });

  it("reports an HTTP error before a failed check", async () => {
    expect(
      await run(
        [
          { type: "status", in: [200] },
          { type: "bodyContains", value: "ok" },
        ],
        "/status/503",
      ),
    ).toMatchObject({
      status: 503,
      failure: "5xx",
      checksPassed: 1,
      checksFailed: 1,
    });
    expect(await run([{ type: "status", in: [200] }], "/status/422")).toMatchObject({ status: 422, failure: "4xx", checksFailed: 1 });
  });
});
