import { describe, expect, it } from "vitest";
import { KeyedLanes } from "./keyed-lanes.ts";
import { LaneBatches } from "./lane-batches.ts";

const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
};

describe("LaneBatches", () => {
  it("takes up the items that waited behind a busy lane as one batch, answering each", async () => {
    const lanes = new KeyedLanes();
    const batches: string[][] = [];
    const b = new LaneBatches<string, string>(lanes, async (items) => {
      batches.push([...items]);
      return items.map((i) => i.toUpperCase());
    });
    const busy = gate();
    const held = lanes.run("run-1", () => busy.opened);
    const answers = ["a", "b", "c"].map((i) => b.add("run-1", i));
    const other = b.add("run-2", "x"); // another key does not wait
    expect(await other).toBe("X");
    busy.open();
    await held;
    expect(await Promise.all(answers)).toEqual(["A", "B", "C"]);
    expect(batches).toEqual([["x"], ["a", "b", "c"]]);
  });

  it("starts the next batch for an item that arrives once its batch has begun", async () => {
    const lanes = new KeyedLanes();
    const batches: number[][] = [];
    const deciding = gate();
    const b = new LaneBatches<number, number>(lanes, async (items) => {
      batches.push([...items]);
      if (batches.length === 1) await deciding.opened;
      return items.map((i) => i * 10);
    });
    const first = b.add("k", 1);
    await new Promise((r) => setImmediate(r)); // the first batch has begun
    const later = [b.add("k", 2), b.add("k", 3)];
    deciding.open();
    expect(await first).toBe(10);
    expect(await Promise.all(later)).toEqual([20, 30]);
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it("fails every item of a batch that fails, and goes on with the next", async () => {
    const lanes = new KeyedLanes();
    let calls = 0;
    const b = new LaneBatches<number, number>(lanes, async (items) => {
      if (++calls === 1) throw new Error("NATS away");
      return items;
    });
    const failed = [b.add("k", 1), b.add("k", 2)];
    await expect(failed[0]).rejects.toThrow("NATS away");
    await expect(failed[1]).rejects.toThrow("NATS away");
    expect(await b.add("k", 3)).toBe(3);
  });
});
