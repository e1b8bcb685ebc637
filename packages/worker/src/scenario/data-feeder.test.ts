import { describe, expect, it } from "vitest";
import { DataFeeder } from "./data-feeder.ts";

const rows = [{ user: "a" }, { user: "b" }, { user: "c" }];
const users = (feeder: DataFeeder, vus: number[]) => vus.map((vu) => feeder.next(vu).user);

describe("DataFeeder", () => {
  it("sequential: one shared cursor, a row per call, wrapping", () => {
    const feeder = new DataFeeder({ mode: "sequential", rows });
    expect(users(feeder, [0, 1, 0, 2, 1])).toEqual(["a", "b", "c", "a", "b"]);
    expect(feeder.columns).toEqual(["user"]);
  });

  it("random: the row the random number picks", () => {
    const draws = [0, 0.5, 0.99, 0.34];
    const feeder = new DataFeeder({ mode: "random", rows }, () => draws.shift()!);
    expect(users(feeder, [0, 0, 0, 0])).toEqual(["a", "b", "c", "b"]);
  });

  it("unique: VU id i keeps row i mod n", () => {
    const feeder = new DataFeeder({ mode: "unique", rows });
    expect(users(feeder, [0, 1, 2, 0, 1, 3, 7])).toEqual(["a", "b", "c", "a", "b", "a", "b"]);
  });
});
