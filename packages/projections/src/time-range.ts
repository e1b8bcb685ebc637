import { HttpError } from "@loadline/service";
import { z } from "zod";

/** A timeseries answers at most a day of seconds: beyond that the client pages with from/to. */
export const MAX_TIMESERIES_SECONDS = 86_400;

/** An instant given as ISO-8601 or as epoch seconds, as the epoch second it falls in; null when it is neither. */
export function parseInstant(raw: string): number | null {
  const text = raw.trim();
  if (/^\d{1,12}(\.\d+)?$/.test(text)) return Math.floor(Number(text));
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

export const instantSchema = z.string().transform((raw, ctx) => {
  const second = parseInstant(raw);
  if (second === null) {
    ctx.addIssue({ code: "custom", message: "must be an ISO-8601 time or epoch seconds" });
    return z.NEVER;
  }
  return second;
});

/**
 * The seconds a timeseries covers: what was asked, the run's windows for what was not.
 * Null when there is nothing to show. A range asked in full must be sound; a defaulted end
 * is cut to fit (keeping the latest seconds when neither end was asked).
 */
export function resolveRange(
  asked: { from?: number | undefined; to?: number | undefined },
  span: { first: number; last: number } | null,
  maxSeconds = MAX_TIMESERIES_SECONDS,
): { from: number; to: number } | null {
  let from = asked.from ?? span?.first;
  let to = asked.to ?? span?.last;
  if (from === undefined || to === undefined) return null;
  if (to < from) {
    if (asked.from !== undefined && asked.to !== undefined)
      throw new HttpError(400, "invalid_request", "to: must not be before from", "to");
    return null;
  }
  if (to - from + 1 > maxSeconds) {
    if (asked.from !== undefined && asked.to !== undefined) {
      throw new HttpError(400, "invalid_request", `to: a timeseries covers at most ${maxSeconds} seconds`, "to");
    }
    if (asked.from !== undefined) to = from + maxSeconds - 1;
    else from = to - maxSeconds + 1;
  }
  return { from, to };
}
