import { describe, expect, it } from "vitest";
import { PositionKeyedCache, type Positions } from "./position-keyed-cache.ts";
import { ResponseCache, strongEtag } from "./response-cache.ts";

function fixture() {
  const positions: Positions = { events: "1@a", metrics: "1@a" };
  let reads = 0;
  let computed = 0;
  const cache = new PositionKeyedCache(new ResponseCache(), async () => {
    reads++;
    return { ...positions };
  });
  const compute = (body: string) => async () => {
    computed++;
    return { body };
  };
  return { positions, cache, compute, counts: () => ({ reads, computed }) };
}

describe("PositionKeyedCache", () => {
  it("answers from the cache while the positions stay, with a strong ETag of the body", async () => {
    const f = fixture();
    const a = await f.cache.answer("k", "events", f.compute('{"n":1}'));
    const b = await f.cache.answer("k", "events", f.compute('{"n":2}'));
    expect([a.body, a.etag, b.body, f.counts()]).toEqual(['{"n":1}', strongEtag('{"n":1}'), '{"n":1}', { reads: 2, computed: 1 }]);
  });

  it("computes again once a projection the answer is made of moves, not for another one", async () => {
    const f = fixture();
    await f.cache.answer("lt", "events", f.compute("a"));
    await f.cache.answer("runs", "events+metrics", f.compute("a"));
    f.positions.metrics = "2@b";
    expect((await f.cache.answer("lt", "events", f.compute("b"))).body).toBe("a");
    expect((await f.cache.answer("runs", "events+metrics", f.compute("b"))).body).toBe("b");
    f.positions.events = "1@c"; // the same position rewritten (a rebuild's swap): another read model
    expect((await f.cache.answer("lt", "events", f.compute("c"))).body).toBe("c");
    expect(f.counts().computed).toBe(4);
  });

  it("keys are separate answers; an ETag given is kept", async () => {
    const f = fixture();
    await f.cache.answer("t1", "events", f.compute("one"));
    expect((await f.cache.answer("t2", "events", f.compute("two"))).body).toBe("two");
    await f.cache.answer("v", "events", async () => ({ body: "{}", etag: '"3"' }));
    expect((await f.cache.answer("v", "events", f.compute("x"))).etag).toBe('"3"');
  });

  it("concurrent misses at the same positions share one computation; a failure is not kept", async () => {
    const f = fixture();
    const all = await Promise.all([1, 2, 3].map(() => f.cache.answer("k", "events", f.compute("x"))));
    expect([all.map((a) => a.body), f.counts().computed]).toEqual([["x", "x", "x"], 1]);
    const failing = async () => {
      throw new Error("down");
    };
    await expect(f.cache.answer("e", "events", failing)).rejects.toThrow("down");
    expect((await f.cache.answer("e", "events", f.compute("up"))).body).toBe("up");
  });
});
