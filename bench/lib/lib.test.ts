import { describe, expect, it } from "vitest";
import { parseProcStat } from "./cpu.ts";
import { parseStatus, treeMemory } from "./rss.ts";
import { fmt, markdownTable } from "./table.ts";

describe("table", () => {
  it("pads columns and right-aligns numbers", () => {
    expect(
      markdownTable(
        ["tool", "rps"],
        [
          ["wrk", "75,000"],
          ["hey", "9"],
        ],
        [false, true],
      ),
    ).toBe(["| tool |    rps |", "|------|-------:|", "| wrk  | 75,000 |", "| hey  |      9 |"].join("\n"));
  });
  it("formats numbers and missing values", () => {
    expect(fmt(41193.33, 0)).toBe("41,193");
    expect(fmt(1.005, 2)).toBe("1.01");
    expect(fmt(undefined)).toBe("—");
    expect(fmt(Number.NaN)).toBe("—");
  });
});

describe("rss", () => {
  it("reads VmRSS and VmHWM", () => {
    expect(parseStatus("Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n")).toEqual({ rssKb: 102400, hwmKb: 204800 });
    expect(parseStatus("Name:\tzombie\nState:\tZ\n")).toBeUndefined();
  });
  it("measures this very process", () => {
    const m = treeMemory(process.pid);
    expect(m!.rssKb).toBeGreaterThan(10_000);
    expect(m!.hwmKb).toBeGreaterThanOrEqual(m!.rssKb);
  });
});

describe("cpu", () => {
  it("reads per-core times", () => {
    const s = parseProcStat("cpu  10 0 10 80 0 0 0 0 0 0\ncpu0 5 0 5 40 0 0 0 0 0 0\ncpu1 5 0 5 30 10 0 0 0 0 0\nintr 1");
    expect(s.get("cpu0")).toEqual({ busy: 10, total: 50 });
    expect(s.get("cpu1")).toEqual({ busy: 10, total: 50 });
  });
});

describe("process cpu", () => {
  it("reads utime+stime, and the reaped children's on request", async () => {
    const { parsePidStat } = await import("./cpu.ts");
    const stat = "1234 (node (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 30 20 20 0 11 0 100 0 0";
    expect(parsePidStat(stat)).toBe(300);
    expect(parsePidStat(stat, true)).toBe(350);
  });

  it("counts what the other processes used: not ours, one started meanwhile whole, a reused pid from 0", async () => {
    const { othersTicks } = await import("./cpu.ts");
    const before = new Map([
      [1, 100], // another process: 20 more
      [2, 500], // ours: left out
      [3, 900], // its pid reused by a process that has used 30
      [4, 50], // ended meanwhile: missed
    ]);
    const after = new Map([
      [1, 120],
      [2, 800],
      [3, 30],
      [5, 7], // started meanwhile
    ]);
    expect(othersTicks(before, after, new Set([2]))).toBe(20 + 7);
  });
});
