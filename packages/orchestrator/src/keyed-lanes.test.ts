import { sleep } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { KeyedLanes } from "./keyed-lanes.ts";

describe("KeyedLanes", () => {
  it("keeps each key's work in order and runs different keys at once", async () => {
    const lanes = new KeyedLanes();
    const log: string[] = [];
    const job = (key: string, n: number, ms: number) =>
      void lanes.run(key, async () => {
        log.push(`${key}${n} start`);
        await sleep(ms);
        log.push(`${key}${n} end`);
      });
    job("a", 1, 30);
    job("a", 2, 1);
    job("b", 1, 5);
    expect(lanes.size).toBe(3);
    await lanes.drained();
    expect(lanes.size).toBe(0);
    // b ran while a1 was still going; a2 waited for a1.
    expect(log.indexOf("b1 end")).toBeLessThan(log.indexOf("a1 end"));
    expect(log.indexOf("a2 start")).toBeGreaterThan(log.indexOf("a1 end"));
  });

  it("goes on with a key after a failed piece of work", async () => {
    const lanes = new KeyedLanes();
    let ran = false;
    const failed = lanes.run("k", async () => {
      throw new Error("boom");
    });
    const next = lanes.run("k", async () => {
      ran = true;
      return 7;
    });
    await expect(failed).rejects.toThrow("boom");
    expect(await next).toBe(7);
    await lanes.drained();
    expect(ran).toBe(true);
  });
});
