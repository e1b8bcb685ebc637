import { createCommand, DEFAULT_TENANT, type EventEnvelope, eventsFromCommand, type NewEvent } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { LATE_CONTROL_MS, RunControl } from "./run-control.ts";

const T0 = Date.parse("2030-01-01T00:00:00.000Z");
const iso = (ms: number) => new Date(T0 + ms).toISOString();

/** One event of run r1, as the orchestrator would store it. */
function event(e: NewEvent): EventEnvelope {
  const command = createCommand({
    tenantId: DEFAULT_TENANT,
    aggregate: { type: "run", id: "r1" },
    type: "run.stop",
    data: { reason: "requested" },
  });
  return eventsFromCommand(command, [e])[0]!;
}
const paused = (atMs: number) => event({ type: "run.paused", data: { at: iso(atMs), by: "u" } });
const resumed = (atMs: number) => event({ type: "run.resumed", data: { at: iso(atMs), by: "u", pausedMs: 0 } });
const scaled = (atMs: number, vuFactor: number, rateFactor: number) =>
  event({ type: "run.scaled", data: { at: iso(atMs), by: "u", vuFactor, rateFactor } });

describe("RunControl", () => {
  it("applies an event once, whether the echo or the stream brings it first", () => {
    const control = new RunControl();
    const pause = paused(1000);
    expect(control.apply(pause, T0 + 1001)).toEqual({ paused: true, vuFactor: 1, rates: [] });
    expect(control.apply(structuredClone(pause), T0 + 1050)).toBeUndefined();
    expect(control.current.paused).toBe(true);
    // Other events are not its business.
    expect(control.apply(event({ type: "run.stopping", data: { reason: "requested" } }), T0 + 1100)).toBeUndefined();
  });

  it("orders pauses and resumes by their instant: a pause that comes after its resume (a lost echo) stays over", () => {
    const control = new RunControl();
    expect(control.apply(resumed(2000), T0 + 2001)).toBeUndefined(); // not paused as far as it knows: nothing changes
    expect(control.apply(paused(1000), T0 + 2100)).toBeUndefined();
    expect(control.current.paused).toBe(false);
    expect(control.apply(paused(3000), T0 + 3001)?.paused).toBe(true);
  });

  it("keeps the VU factor of the latest scale, and the history of the rate factor from each instant", () => {
    const control = new RunControl();
    expect(control.apply(scaled(1000, 2, 1), T0 + 1001)).toEqual({ paused: false, vuFactor: 2, rates: [] });
    expect(control.apply(scaled(2000, 2, 1.5), T0 + 2001)).toEqual({ paused: false, vuFactor: 2, rates: [{ at: T0 + 2000, factor: 1.5 }] });
    expect(control.apply(scaled(3000, 0.5, 3), T0 + 3001)).toEqual({
      paused: false,
      vuFactor: 0.5,
      rates: [
        { at: T0 + 2000, factor: 1.5 },
        { at: T0 + 3000, factor: 3 },
      ],
    });
  });

  it("applies a scale that comes late as of a second ago at most, and one from the future as of now", () => {
    const late = new RunControl();
    expect(late.apply(scaled(1000, 1, 2), T0 + 9000)?.rates).toEqual([{ at: T0 + 9000 - LATE_CONTROL_MS, factor: 2 }]);
    const early = new RunControl();
    expect(early.apply(scaled(5000, 1, 2), T0 + 4000)?.rates).toEqual([{ at: T0 + 4000, factor: 2 }]);
  });

  it("is the run's control so far from its events, for a worker that joins it late: their own instants", () => {
    const events = [scaled(1000, 2, 3), paused(2000), resumed(3000), scaled(4000, 2, 1), paused(5000)];
    expect(RunControl.of(events).current).toEqual({
      paused: true,
      vuFactor: 2,
      rates: [
        { at: T0 + 1000, factor: 3 },
        { at: T0 + 4000, factor: 1 },
      ],
    });
  });
});
