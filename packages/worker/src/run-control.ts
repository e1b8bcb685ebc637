import type { EventEnvelope, EventOf } from "@loadline/core";
import { AS_PLANNED, type LoadControl, type RateFactor } from "./engine/load-control.ts";

export type ControlEvent = EventOf<"run.paused" | "run.resumed" | "run.scaled">;

const CONTROL_TYPES: ReadonlySet<EventEnvelope["type"]> = new Set(["run.paused", "run.resumed", "run.scaled"]);

export const isControlEvent = (e: EventEnvelope): e is ControlEvent => CONTROL_TYPES.has(e.type);

/**
 * How far back a control that comes live may take effect: one that comes late (a worker cut
 * off from NATS for a while, a clock behind) is applied as of this long ago at most, rather
 * than as a burst of every arrival a scale up would have started since.
 */
export const LATE_CONTROL_MS = 1000;

type Scale = { at: number; from: number; vuFactor: number; rateFactor: number };

/**
 * A run's live control as its events say (run.paused, run.resumed, run.scaled), for one worker.
 * The same event may come twice, by the orchestrator's core-NATS echo and by the stream, and
 * an echo may be lost: each counts once (by id), and they are ordered by their instant, not by
 * when they came, so a pause the stream brings after the echo of its resume stays over.
 */
export class RunControl {
  private readonly seen = new Set<string>();
  /** The latest pause or resume. */
  private pause: { at: number; paused: boolean } | undefined;
  /** Every scale, by instant. */
  private readonly scales: Scale[] = [];
  private state: LoadControl = AS_PLANNED;

  /** A run's control from its events so far (a worker joining it late). */
  static of(events: readonly EventEnvelope[]): RunControl {
    const control = new RunControl();
    for (const e of events) control.apply(e);
    return control;
  }

  get current(): LoadControl {
    return this.state;
  }

  /**
   * Folds one event in; answers the new state when it changed, else undefined. `nowMs`: when it
   * came, live (absent: read from the run's past): a scale's instant is then kept within
   * LATE_CONTROL_MS before it, and not after it.
   */
  apply(event: EventEnvelope, nowMs?: number): LoadControl | undefined {
    if (!isControlEvent(event) || this.seen.has(event.id)) return undefined;
    this.seen.add(event.id);
    const at = Date.parse(event.data.at);
    if (event.type === "run.scaled") {
      const from = nowMs === undefined ? at : Math.min(nowMs, Math.max(nowMs - LATE_CONTROL_MS, at));
      const index = this.scales.findLastIndex((s) => s.at <= at) + 1;
      this.scales.splice(index, 0, { at, from, vuFactor: event.data.vuFactor, rateFactor: event.data.rateFactor });
    } else if (!this.pause || at >= this.pause.at) {
      this.pause = { at, paused: event.type === "run.paused" };
    }
    const next = this.fold();
    if (sameControl(next, this.state)) return undefined;
    this.state = next;
    return next;
  }

  private fold(): LoadControl {
    const rates: RateFactor[] = [];
    let factor = 1;
    let from = Number.NEGATIVE_INFINITY;
    for (const s of this.scales) {
      // Instants in order, whatever a late one was clamped to.
      from = Math.max(from, s.from);
      if (s.rateFactor === factor) continue;
      factor = s.rateFactor;
      rates.push({ at: from, factor });
    }
    return { paused: this.pause?.paused ?? false, vuFactor: this.scales.at(-1)?.vuFactor ?? 1, rates };
  }
}

function sameControl(a: LoadControl, b: LoadControl): boolean {
  return (
    a.paused === b.paused &&
    a.vuFactor === b.vuFactor &&
    a.rates.length === b.rates.length &&
    a.rates.every((r, i) => r.at === b.rates[i]!.at && r.factor === b.rates[i]!.factor)
  );
}
