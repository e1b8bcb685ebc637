import type { RunView } from "@loadline/core";
import { createLogger } from "@loadline/service";
import { describe, expect, it } from "vitest";
import { secondIsAfter } from "./live-cursor.ts";
import { LiveHub, type LiveMessage, type LiveSource } from "./live-hub.ts";
import type { Positions } from "./live-queries.ts";
import type { ChangedSecond, LiveSecond } from "./live-second.ts";

/** A read model in memory, changed the way the projections change it: each change at the next stream sequence. */
class Model implements LiveSource {
  pos: Positions = { events: 0, metrics: 0 };
  run: { seq: number; view: RunView } | null = null;
  seconds = new Map<number, ChangedSecond>();
  reads = 0;

  setRun(status: RunView["status"], verdict: RunView["verdict"] = "none"): void {
    this.pos.events++;
    this.run = { seq: this.pos.events, view: { id: "r", tenantId: "t", status, verdict } as RunView };
  }
  /** One batch of windows: the seconds it touched, each with `requests` added. */
  addWindows(requests: Record<number, number>): void {
    this.pos.metrics++;
    for (const [second, n] of Object.entries(requests).map(([s, n]) => [Number(s), n] as const)) {
      const before = this.seconds.get(second)?.value.all.requests ?? 0;
      const value = { second, time: "", all: { requests: before + n }, endpoints: [] } as unknown as LiveSecond;
      this.seconds.set(second, { seq: this.pos.metrics, value });
    }
  }
  async positions() {
    return { ...this.pos };
  }
  async runAfter(_t: string, _r: string, after: number) {
    this.reads++;
    return this.run && this.run.seq > after ? this.run : null;
  }
  async runsAfter(_t: string, after: number) {
    return this.run && this.run.seq > after ? [this.run] : [];
  }
  async secondsAfter(_t: string, _r: string, after: { metrics: number; second: number | null }, limit: number) {
    this.reads++;
    return [...this.seconds.values()]
      .filter((s) => secondIsAfter(s.seq, s.value.second, after))
      .sort((a, b) => a.seq - b.seq || a.value.second - b.value.second)
      .slice(0, limit);
  }
}

const log = createLogger("test", "silent");
const hubOf = (model: Model, ringSize = 300) =>
  new LiveHub(model, { pollMs: 5, ringSize, metricsHead: async () => model.pos.metrics, log });
const tick = () => new Promise((r) => setTimeout(r, 30));

/** What a client holds after reading `messages`: each second's latest figure, and the run's last status. */
function held(messages: readonly LiveMessage[]) {
  const seconds = new Map<number, number>();
  let status: string | undefined;
  for (const m of messages) {
    const data = JSON.parse(m.data);
    if (m.event === "second") seconds.set(data.second, data.all.requests);
    if (m.event === "run") status = data.status;
  }
  return { seconds, status };
}

describe("LiveHub", () => {
  it("gives a client every change once, in order, and a second again only with new figures", async () => {
    const model = new Model();
    model.setRun("Running");
    const hub = hubOf(model);
    const got: LiveMessage[] = [];
    const client = (async () => {
      for await (const m of hub.followRun("t", "r", null, new AbortController().signal)) got.push(m);
    })();
    for (let s = 0; s < 5; s++) {
      model.addWindows({ [s]: 10 });
      if (s > 0) model.addWindows({ [s - 1]: 1 }); // a late worker's window for the second before
      await tick();
    }
    model.setRun("Completed");
    await client;
    expect(got[0]!.event).toBe("run");
    expect(got.slice(-2).map((m) => m.event)).toEqual(["run", "end"]);
    expect(held(got)).toEqual({ seconds: new Map([0, 1, 2, 3, 4].map((s) => [s, s < 4 ? 11 : 10])), status: "Completed" });
    // Each second as it was projected: first alone, then with the late window; never the same figures twice.
    const sent = got.filter((m) => m.event === "second").map((m) => JSON.parse(m.data) as { second: number; all: { requests: number } });
    for (let s = 0; s < 4; s++) expect(sent.filter((x) => x.second === s).map((x) => x.all.requests)).toEqual([10, 11]);
    const ids = got.filter((m) => m.id !== undefined).map((m) => m.id);
    expect(new Set(ids).size, JSON.stringify(got.map((m) => [m.event, m.id, m.data.slice(0, 40)]))).toBe(ids.length);
    await hub.close();
  });

  it("holds no more than its ring for a client that stops reading, which then catches up from the read model", async () => {
    const model = new Model();
    model.setRun("Running");
    const hub = hubOf(model, 10);
    const stalled = hub.followRun("t", "r", null, new AbortController().signal);
    const first = [(await stalled.next()).value!];
    // A reader that keeps up, so the feed runs on while the other one reads nothing.
    const live: LiveMessage[] = [];
    const keeper = (async () => {
      for await (const m of hub.followRun("t", "r", null, new AbortController().signal)) live.push(m);
    })();
    for (let s = 0; s < 200; s++) {
      model.addWindows({ [s]: 5, ...(s > 0 ? { [s - 1]: 1 } : {}) });
      if (s % 20 === 0) await tick();
    }
    await tick();
    // Internals, on purpose: the feed's memory is its ring, whatever a client's pace.
    const feed = (hub as unknown as { runFeeds: Map<string, { ring: { items: unknown[]; dropped: number } }> }).runFeeds.values().next()
      .value!;
    expect(feed.ring.items.length).toBeLessThanOrEqual(10);
    expect(feed.ring.dropped).toBeGreaterThan(0);
    model.setRun("Completed");
    const rest: LiveMessage[] = [];
    for (let r = await stalled.next(); !r.done; r = await stalled.next()) rest.push(r.value);
    await keeper;
    const all = [...first, ...rest];
    const expected = new Map(Array.from({ length: 200 }, (_, s) => [s, s < 199 ? 6 : 5]));
    expect(held(all)).toEqual({ seconds: expected, status: "Completed" });
    expect(held(live)).toEqual({ seconds: expected, status: "Completed" });
    // Caught up as the read model stands: each second once, not each of its changes.
    expect(rest.filter((m) => m.event === "second").length).toBe(200);
    await hub.close();
  });

  it("resumes from any id it sent with exactly what came after it", async () => {
    const model = new Model();
    model.setRun("Running");
    for (let s = 0; s < 30; s++) model.addWindows({ [s]: 3, [s + 1]: 2 });
    model.setRun("Completed");
    const hub = hubOf(model, 4);
    const drain = async (from: Parameters<LiveHub["followRun"]>[2]) => {
      const out: LiveMessage[] = [];
      for await (const m of hub.followRun("t", "r", from, new AbortController().signal)) out.push(m);
      return out;
    };
    const whole = await drain(null);
    const { parseRunCursor } = await import("./live-cursor.ts");
    for (const k of [0, 1, 7, whole.length - 2]) expect(await drain(parseRunCursor(whole[k]!.id!))).toEqual(whole.slice(k + 1));
    await hub.close();
  });

  it("ends every stream when it closes", async () => {
    const model = new Model();
    model.setRun("Running");
    const hub = hubOf(model);
    const client = hub.followRun("t", "r", null, new AbortController().signal);
    await client.next();
    const pending = client.next();
    await hub.close();
    expect((await pending).done).toBe(true);
  });
});
