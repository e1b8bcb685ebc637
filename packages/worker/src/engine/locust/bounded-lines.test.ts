import { describe, expect, it } from "vitest";
import { BoundedLines } from "./bounded-lines.ts";

describe("BoundedLines", () => {
  it("hands over whole lines across chunks", () => {
    const lines: string[] = [];
    const split = new BoundedLines((l) => lines.push(l));
    split.push('["u",1]\n["re');
    split.push('ady"]\n');
    expect(lines).toEqual(['["u",1]', '["ready"]']);
  });

  it("drops a line longer than its bound, without buffering it, and goes on after it", () => {
    const lines: string[] = [];
    const split = new BoundedLines((l) => lines.push(l), 10);
    split.push("x".repeat(8));
    split.push("x".repeat(8));
    split.push("x".repeat(30));
    split.push("tail\nok\n");
    expect(lines).toEqual(["ok"]);
    expect(split.dropped).toBe(1);
  });
});
