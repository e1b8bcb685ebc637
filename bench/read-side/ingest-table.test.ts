import { describe, expect, it } from "vitest";
import { type IngestResult, ingestTable, ingestVerdict } from "../report.ts";

const result = (over: Partial<IngestResult> = {}): IngestResult => ({
  published: 20_000,
  publishFailures: 0,
  publishedPerSec: 1000,
  applied: 20_000,
  appliedPerSec: 998,
  appliedWhilePublishingPerSec: 990,
  appliedWhileDrainingPerSec: 1500,
  requestRowsPerSec: 19_960,
  lag: { p50Ms: 310, p90Ms: 620, p99Ms: 1250, maxMs: 1900, steadyP99Ms: 840 },
  commits: 80,
  ackP50Ms: 4,
  ackP99Ms: 30,
  backlog: { peaks: [1000, 1010, 990], at10s: 1000, mid: 1010, end: 990, slopePerSec: -1.2, thresholdPerSec: 20, grows: false },
  drainMs: 640,
  leftAtEnd: 0,
  busy: {
    mainThreadPct: 61,
    publisherThreadPct: 22,
    processPct: 80,
    postgresPct: 45,
    natsPct: 12,
    othersPct: 1,
    perWindowMs: { underTest: 0.624, postgres: 0.45 },
  },
  publisher: { meanWindowBytes: 20_400, burstMsMean: 120, burstMsMax: 210, tickLateMsMax: 3 },
  ...over,
});

describe("ingest verdict", () => {
  it("passes only with p99 under 2 s, a flat backlog and everything applied", () => {
    expect(ingestVerdict(result())).toBe("PASS");
    expect(ingestVerdict(result({ lag: { p50Ms: 1, p90Ms: 1, p99Ms: 2000, maxMs: 3000 } }))).toBe("MISS (p99 2.00 s)");
    const behind = result({
      backlog: { ...result().backlog, slopePerSec: 300, grows: true },
      leftAtEnd: 1234,
      lag: { p50Ms: 5000, p90Ms: 9000, p99Ms: 61_000, maxMs: 62_000, censoredFromMs: 60_500 },
    });
    expect(ingestVerdict(behind)).toBe("MISS (p99 ≥ 61.00 s, backlog grows, 1,234 never applied)");
  });
});

describe("ingest table", () => {
  it("prints both rows, lower bounds, a missing row and where the time went", () => {
    const t = ingestTable({
      workers: 1000,
      requestsPerWindow: 20,
      durationSec: 60,
      drainLimitSec: 60,
      rows: [
        { system: "Loadline projection", outcome: { ok: true, result: result() } },
        {
          system: "naive drizzle insert per event",
          outcome: {
            ok: true,
            result: result({
              appliedPerSec: 150,
              leftAtEnd: 8000,
              drainMs: undefined,
              commits: 12_000,
              lag: { p50Ms: 30_000, p90Ms: 55_000, p99Ms: 61_000, maxMs: 62_000, censoredFromMs: 50_000 },
              backlog: { ...result().backlog, slopePerSec: 850, grows: true },
            }),
          },
        },
        { system: "broken", outcome: { ok: false, reason: "no NATS at nats://127.0.0.1:4222" } },
      ],
    });
    expect(t).toContain("### 4. Ingest — 1,000 synthetic workers × 20 request names");
    expect(t).toMatch(
      /\| Loadline projection +\| +1,000 \| +998 \| +990 \/ 1,500 +\| +19,960 \| +0\.31 \| +0\.62 \| +1\.25 \| +1\.90 \| +0\.84 \| 1,000 \/ 1,010 \/ 990 +\| flat \(-1\/s\) +\| 0\.64 s +\| PASS/,
    );
    expect(t).toMatch(/\| +30\.00 \| +≥ 55\.00 \| +≥ 61\.00 \| +≥ 62\.00 \| +— \|/);
    expect(t).toContain("not in 60 s (8,000 left)");
    expect(t).toContain("grows (+850/s)");
    expect(t).toContain("80 commits, 250.0 windows each");
    expect(t).toContain("not available: no NATS at nats://127.0.0.1:4222");
    expect(t).toContain("— Loadline projection: PASS.");
    expect(t).toMatch(
      /\| Loadline projection +\| +61% \| +22% \| +80% \| +45% \| +12% \| +1% \| +0\.62 \/ 0\.45 \| +19\.9 \| +120 \/ 210 \|/,
    );
  });
});
