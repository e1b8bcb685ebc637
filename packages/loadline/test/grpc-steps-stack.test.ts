import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadTestInputSchema } from "@loadline/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PROTO } from "../src/demo-proto.ts";
import { loadTestFile } from "../src/load-test-file.ts";
import { type StackFixture, startTestStack } from "./fixture.ts";

const EXAMPLE = fileURLToPath(new URL("../../../examples/grpc-echo.yaml", import.meta.url));
const VUS = 3;
const ITERATIONS = 4;

let f: StackFixture;
beforeAll(async () => {
  f = await startTestStack();
});
afterAll(() => f.close());

describe("grpc steps through the whole stack (NATS, Postgres, orchestrator, worker under the tenant's allow-list, projections)", () => {
  it("runs the example file's unary and streaming calls against the demo's gRPC service: the rows' counts are the service's own", async () => {
    const target = f.stack.demoTarget!;
    expect(target.grpcUrl).toMatch(/^grpc:\/\/127\.0\.0\.1:\d+$/);
    // The example's protoFile is read beside it, and is the service's own proto.
    const { spec } = loadTestFile(EXAMPLE);
    const steps = (spec.scenarios as { steps: Record<string, unknown>[] }[])[0]!.steps;
    expect(steps[0]!.proto).toBe(readFileSync(fileURLToPath(new URL("../../../examples/demo.proto", import.meta.url)), "utf8"));
    expect(steps[0]!.proto).toBe(DEMO_PROTO);

    const test = await f.api.createLoadTest(
      loadTestInputSchema.parse({
        ...spec,
        targetUrl: target.url,
        workload: { type: "per-vu-iterations", vus: VUS, iterations: ITERATIONS, maxDurationSec: 60 },
      }),
    );
    const before = target.grpc();
    const run = await f.api.waitForEnd((await f.api.startRun(test.id, { env: { DEMO_GRPC: target.grpcUrl! } })).id, 60_000);
    expect(run.status).toBe("Completed");
    await f.api.waitForProjections(10_000);
    const after = target.grpc();

    const n = VUS * ITERATIONS;
    const expected = {
      "gRPC say": after.sayCalls - before.sayCalls,
      "gRPC first ticks": after.tickStreams - before.tickStreams,
      "gRPC next ticks": after.ticks - before.ticks - (after.tickStreams - before.tickStreams),
    };
    expect(expected).toEqual({ "gRPC say": n, "gRPC first ticks": n, "gRPC next ticks": 4 * n });

    const aggregate = await f.api.aggregate(run.id);
    expect(aggregate.failures).toBe(0);
    expect(aggregate.checksFailed).toBe(0);
    expect(Object.fromEntries(aggregate.endpoints.map((e) => [e.name, e.requests]))).toEqual(expected);
    const { endpoints } = await f.api.endpoints(run.id);
    expect(Object.fromEntries(endpoints.map((e) => [e.name, e.requests]))).toEqual(expected);
    expect(endpoints.find((e) => e.name === "gRPC say")).toMatchObject({ method: "GRPC", protocol: "grpc" });
  });

  it("fails a run whose proto does not compile, with the reason, before any call", async () => {
    const target = f.stack.demoTarget!;
    const test = await f.api.createLoadTest(
      loadTestInputSchema.parse({
        name: "bad proto",
        targetUrl: target.url,
        scenarios: [
          {
            name: "rpc",
            steps: [
              {
                type: "grpc",
                target: target.grpcUrl!,
                proto: 'syntax = "proto3"; package demo; service Echo { rpc Say (Nope) returns (Nope); }',
                service: "demo.Echo",
                method: "Say",
              },
            ],
          },
        ],
        workload: { type: "per-vu-iterations", vus: 1, iterations: 1, maxDurationSec: 10 },
        defaultUsers: 1,
        defaultSpawnRate: 1,
        defaultDurationSec: 10,
      }),
    );
    const before = target.grpc().sayCalls;
    const run = await f.api.waitForEnd((await f.api.startRun(test.id)).id, 30_000);
    expect(run.status).toBe("Failed");
    expect(JSON.stringify(run)).toMatch(/grpc step proto: .*Nope/);
    expect(target.grpc().sayCalls).toBe(before);
  });
});
