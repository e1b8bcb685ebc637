import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startTarget } from "../lib/proc.ts";
import { BENCH } from "../measure.ts";

describe("the delay target's own timings", () => {
  it("reports how long it took each request itself, and forgets them at a reset", async () => {
    const delay = await startTarget(join(BENCH, "targets/delay-server.mjs"), ["--delay-ms", "20"], 0, 60);
    try {
      type Stats = { requests: number; serverP50Ms: number | null; serverP99Ms: number | null; serverMaxMs: number | null };
      const stats = async () => (await (await fetch(delay.url + "__stats")).json()) as Stats;
      await Promise.all(Array.from({ length: 40 }, () => fetch(delay.url).then((r) => r.text())));
      const s = await stats();
      expect(s.requests).toBe(40);
      // A setTimeout of 20 ms fires no earlier than 20 ms after the request was handed over.
      expect(s.serverP50Ms).toBeGreaterThanOrEqual(20);
      expect(s.serverP99Ms).toBeGreaterThanOrEqual(s.serverP50Ms!);
      expect(s.serverMaxMs).toBeGreaterThanOrEqual(s.serverP99Ms!);
      expect(s.serverMaxMs).toBeLessThan(1000);
      await fetch(delay.url + "__reset");
      expect(await stats()).toMatchObject({ requests: 0, serverP50Ms: null, serverP99Ms: null, serverMaxMs: null });
    } finally {
      await delay.stop();
    }
  });
});
