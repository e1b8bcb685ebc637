import { sleep } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { startSecondTicker } from "./second-ticker.ts";

describe("startSecondTicker", () => {
  it("ticks just after each second boundary, with that second", async () => {
    const ticks: { second: number; ms: number }[] = [];
    const ticker = startSecondTicker((second) => ticks.push({ second, ms: Date.now() % 1000 }));
    await sleep(2100);
    ticker.stop();
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks[1]!.second).toBe(ticks[0]!.second + 1);
    for (const t of ticks) expect(t.ms).toBeLessThan(100);
    const count = ticks.length;
    await sleep(1100);
    expect(ticks.length).toBe(count);
  });
});
