import { describe, expect, it } from "vitest";
import { compile, runIterationOutcome } from "./test-scenario.ts";
import { useTestServer } from "./test-server.ts";

const { server, transport } = useTestServer();

/** Steps with `group`: each pass through a group's consecutive steps is timed once, after its last step. */
describe("VuSession: groups of steps", () => {
  const scenario = () =>
    compile(
      {
        steps: [
          { type: "request", url: "/echo", group: "browse" },
          { type: "think", distribution: "constant", ms: 30, group: "browse" },
          { type: "request", url: "/echo", group: "browse" },
          { type: "request", url: "/status/503", group: "pay" },
          { type: "request", url: "/echo" },
          { type: "request", url: "/echo", group: "browse" },
        ],
      },
      server.url,
    );

  it("times each pass from its first step's start to its last's end, failed when a request in it failed", async () => {
    const heard: { name: string; durationMs: number; failed: boolean }[] = [];
    const session = scenario().createSession(0, (name, durationMs, failed) => heard.push({ name, durationMs, failed }));
    const { records, interrupted } = await runIterationOutcome(session, transport);
    expect(interrupted).toBe(false);
    expect(records).toHaveLength(5);
    expect(heard.map((g) => [g.name, g.failed])).toEqual([
      ["browse", false],
      ["pay", true],
      ["browse", false],
    ]);
    // The think time is inside the first pass; its requests' own times add up to less than the pass.
    const [browse] = heard;
    expect(browse!.durationMs).toBeGreaterThanOrEqual(30);
    const inFirst = records.slice(0, 2).reduce((ms, r) => ms + (r.endedAt - r.sentAt), 0);
    expect(browse!.durationMs).toBeGreaterThan(inFirst);
  });

  it("reports no pass the stop cut short, and nothing without a listener", async () => {
    const heard: string[] = [];
    const stop = new AbortController();
    const session = scenario().createSession(0, (name) => heard.push(name));
    const iteration = runIterationOutcome(session, transport, stop.signal);
    setTimeout(() => stop.abort(), 10); // in the first group's think time
    expect((await iteration).interrupted).toBe(true);
    expect(heard).toEqual([]);
    const plain = await runIterationOutcome(scenario().createSession(1), transport);
    expect(plain.records).toHaveLength(5);
  });
});
