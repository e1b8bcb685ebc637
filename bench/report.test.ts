import { describe, expect, it } from "vitest";
import { accuracyTable, fixedVerdict, memoryTable, memoryVerdict, stallVerdict, throughputGoal, throughputTable } from "./report.ts";
import type { ToolResult } from "./tools/types.ts";

const r = (rps: number, p50Ms: number, p99Ms: number, extra?: ToolResult["extra"]): ToolResult => ({
  requests: rps * 10,
  durationSec: 10,
  rps,
  p50Ms,
  p99Ms,
  maxMs: p99Ms * 2,
  failures: 0,
  extra,
});

describe("verdicts", () => {
  it("judges each goal", () => {
    expect(fixedVerdict(20.9, 20)).toBe("PASS");
    expect(fixedVerdict(21.2, 20)).toBe("FAIL");
    expect(fixedVerdict(18.9, 20)).toBe("FAIL");
    expect(stallVerdict(812, 2)).toBe("PASS");
    expect(stallVerdict(12, 2)).toBe("FAIL");
    expect(stallVerdict(12, 0)).toMatch(/n\/a/);
    expect(memoryVerdict(250)).toBe("PASS");
    expect(memoryVerdict(300)).toBe("FAIL");
    expect(throughputGoal(40_000, 36_000)).toBe("MET (1.11× autocannon)");
    expect(throughputGoal(30_000, 40_000)).toBe("MISSED (0.75× autocannon)");
    expect(throughputGoal(undefined, 40_000)).toMatch(/not measured/);
  });
});

describe("tables", () => {
  it("prints throughput with ratios and unavailable rows", () => {
    const t = throughputTable({
      durationSec: 10,
      connections: 64,
      rows: [
        { tool: "loadline", outcome: { ok: false, reason: "packages/worker/src/local-run.ts not found" } },
        { tool: "autocannon", outcome: { ok: true, result: r(40_000, 1, 4) } },
        { tool: "wrk", outcome: { ok: true, result: r(80_000, 0.5, 2) } },
      ],
    });
    expect(t).toContain("| wrk ");
    expect(t).toMatch(/\| autocannon +\| +40,000 \| +1\.00 \| +4\.00 \| +1\.00× \| +0\.50× \|/);
    expect(t).toContain("not available: packages/worker/src/local-run.ts not found");
    expect(t).toContain("Goal: Loadline ≥ 1.0× autocannon — not measured");
  });
  it("prints accuracy verdicts", () => {
    const t = accuracyTable({
      fixed: { rate: 2000, delayMs: 20, durationSec: 10, outcome: { ok: true, result: r(1998, 20.4, 22, { droppedIterations: 0 }) } },
      stall: {
        rate: 1000,
        durationSec: 12,
        periodMs: 5000,
        stallMs: 1000,
        loadlineStalls: 2,
        wrkStalls: 2,
        loadline: { ok: true, result: r(1000, 0.6, 905, { droppedIterations: 0 }) },
        wrk: { ok: true, result: r(30_000, 1, 3) },
      },
    });
    expect(t).toContain("PASS (p50 20.40 ms)");
    expect(t).toContain("PASS (p99 905.00 ms)");
    expect(t).toContain("contrast (no goal)");
  });
  it("prints memory, or why it was not measured", () => {
    const ok = memoryTable({
      vus: 10_000,
      delayMs: 5000,
      durationSec: 10,
      peakRssMb: 180.4,
      serverPeakConnections: 10_000,
      outcome: { ok: true, result: r(2000, 5000, 5100, { rssMb: 170, droppedIterations: 0 }) },
    });
    expect(ok).toMatch(/\| +10,000 \| 5 s +\| 10 s +\| +180 \| +170 \|/);
    expect(ok).toContain("PASS");
    const missing = memoryTable({ vus: 10_000, delayMs: 5000, durationSec: 10, outcome: { ok: false, reason: "x not found" } });
    expect(missing).toContain("NOT MEASURED");
  });
});
