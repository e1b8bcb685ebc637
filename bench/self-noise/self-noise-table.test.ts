import { describe, expect, it } from "vitest";
import type { ToolResult } from "../tools/types.ts";
import { closedVerdict, FLOOR_GENERATORS, openVerdict, selfNoiseTable } from "./self-noise-table.ts";

const r = (rps: number, p99Ms: number, maxMs: number, dropped = 0): ToolResult => ({
  requests: rps * 10,
  durationSec: 10,
  rps,
  p50Ms: 0.08,
  p99Ms,
  maxMs,
  failures: 0,
  extra: { droppedIterations: dropped },
});

describe("self-noise verdicts", () => {
  it("holds each open row to its goal", () => {
    expect(openVerdict("quiet", 2000, r(2000, 0.9, 9))).toMatch(/^PASS/);
    expect(openVerdict("quiet", 2000, r(2000, 0.9, 12))).toBe("FAIL (p99 0.90, max 12.00 ms)");
    expect(openVerdict("quiet", 2000, r(2000, 2.25, 9))).toMatch(/^FAIL/);
    expect(openVerdict("busy", 20_000, r(20_000, 4.9, 80))).toMatch(/^PASS/);
    expect(openVerdict("busy", 20_000, r(20_000, 5, 6))).toMatch(/^FAIL/);
    expect(openVerdict("throughput", 30_000, r(29_800, 3, 9))).toMatch(/^PASS \(99\.3% of the rate, 0 dropped\)/);
    expect(openVerdict("throughput", 30_000, r(29_900, 3, 9, 1))).toMatch(/^FAIL/);
    expect(openVerdict("throughput", 30_000, r(29_600, 3, 9))).toMatch(/^FAIL/);
    expect(openVerdict("delay", 2000, r(2000, 23.5, 30), 21.7)).toMatch(/^PASS \(1\.80 ms above/);
    expect(openVerdict("delay", 2000, r(2000, 24.38, 30), 21.71)).toMatch(/^FAIL \(2\.67 ms above/);
    expect(openVerdict("delay", 2000, r(2000, 23, 30), null)).toMatch(/no timings/);
  });

  it("compares the closed loop with autocannon", () => {
    expect(closedVerdict(54_000, 45_000)).toBe("PASS (1.20× autocannon)");
    expect(closedVerdict(53_916, 54_346)).toBe("FAIL (0.99× autocannon)");
  });
});

describe("self-noise table", () => {
  it("prints each row with its goal and verdict, and why a row was not measured", () => {
    const t = selfNoiseTable({
      durationSec: 10,
      open: [
        {
          case: "quiet",
          target: "nginx",
          generator: "loadline",
          rate: 2000,
          maxVus: 400,
          outcome: {
            ok: true,
            result: {
              ...r(2002, 2.25, 14.78),
              extra: {
                droppedIterations: 0,
                steadyP99Ms: 0.91,
                steadyDropped: 0,
                generatorLoopDelayP95Ms: 2.1,
                generatorSlipP95Ms: 3.4,
                generatorSaturatedSeconds: 0,
              },
            },
          },
        },
        {
          case: "delay",
          target: "delay 20 ms (Node)",
          generator: "loadline",
          rate: 2000,
          maxVus: 400,
          outcome: { ok: true, result: r(1997, 24.38, 32.58) },
          targetP99Ms: 21.71,
        },
        {
          case: "quiet",
          target: "nginx",
          generator: FLOOR_GENERATORS.raw,
          rate: 2000,
          maxVus: 400,
          outcome: { ok: true, result: { ...r(2000, 0.97, 6.9), extra: { droppedIterations: 0 } } },
        },
        { case: "busy", target: "nginx", generator: "loadline", rate: 20_000, maxVus: 400, outcome: { ok: false, reason: "no nginx URL" } },
      ],
      closed: [
        { tool: "loadline", connections: 64, outcome: { ok: true, result: r(53_916, 3.29, 9) } },
        { tool: "autocannon", connections: 64, outcome: { ok: true, result: r(54_346, 2, 9) } },
        { tool: "autocannon", connections: 64, outcome: { ok: true, result: r(50_346, 2, 9) } },
        { tool: "loadline", connections: 64, outcome: { ok: true, result: r(49_916, 3.71, 9) } },
      ],
    });
    expect(t).toMatch(/\| nginx +\| loadline +\| +2,000 \| +400 \| +2,002 \| +0 \| +0\.08 \| +2\.25 \| +14\.78 \|/);
    // The steady state beside the whole run's: its p99 and drops from 2 s in; a row without them says so.
    expect(t).toMatch(/\| +14\.78 \| +0\.91 \/ 0 \| +— \|/);
    expect(t).toMatch(/\| +32\.58 \| +— \| +21\.71 \|/);
    expect(t).toContain("FAIL (p99 2.25, max 14.78 ms)");
    // What the generator said of itself beside it: its worst second's loop delay and slip p95, no second saturated.
    expect(t).toMatch(/\| +— \| +2\.10 \/ 3\.40, 0 s \| p99 < 1 ms/);
    expect(t).toMatch(/delay 20 ms \(Node\) .*\| +21\.71 \|.*FAIL \(2\.67 ms above the target's own p99\)/);
    expect(t).toMatch(/nginx +\| loadline +\| +20,000 .*no nginx URL/);
    // A floor row is a reference beside Loadline's: no goal, no verdict of its own.
    expect(t).toMatch(/\| nginx +\| floor: raw sockets +\| +2,000 \| +400 \| +2,000 \| +0 \| .* 0\.97 \| +6\.90 \| .*\| +\| reference +\|/);
    // Each tool's mean over its runs (in turn ABBA), its runs beside it; the verdict on the means: 51,916 / 52,346.
    expect(t).toMatch(/\| loadline +\| +64 \| +51,916 \(53,916, 49,916\) \| +0\.08 \| +3\.50 \|/);
    expect(t).toMatch(/\| autocannon +\| +64 \| +52,346 \(54,346, 50,346\) \|/);
    expect(t).toContain("FAIL (0.99× autocannon)");
  });

  it("says why a closed-loop tool was not measured, and judges on the runs that were", () => {
    const t = selfNoiseTable({
      durationSec: 10,
      open: [],
      closed: [
        { tool: "loadline", connections: 64, outcome: { ok: true, result: r(60_000, 1, 2) } },
        { tool: "autocannon", connections: 64, outcome: { ok: false, reason: "node_modules/.bin/autocannon not installed" } },
        { tool: "autocannon", connections: 64, outcome: { ok: false, reason: "node_modules/.bin/autocannon not installed" } },
        { tool: "loadline", connections: 64, outcome: { ok: false, reason: "no nginx URL" } },
      ],
    });
    expect(t).toMatch(/\| loadline +\| +64 \| +60,000 \| +0\.08 \| +1\.00 \| a run not available: no nginx URL/);
    expect(t).toMatch(/\| autocannon +\| +64 \| +— \| +— \| +— \| .*autocannon not installed/);
  });
});
