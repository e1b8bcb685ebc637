import { Cron } from "croner";

/** When a schedule fires: a cron pattern read in an IANA time zone. */
export type CronSpec = { cron: string; timezone: string };

/**
 * Five fields (minute precision) or six (seconds first), or a nickname such as `@daily`.
 * `paused`: croner only reads the pattern here, it never sets a timer of its own.
 */
const MODE = { mode: "5-or-6-parts", paused: true } as const;

/** A fixed instant to look for a first fire from, so that validation does not depend on the clock. */
const EPOCH = new Date("2000-01-01T00:00:00Z");

/** How many due instants a count goes to: past it a count is "at least". */
export const DUE_COUNT_CAP = 1_000;

const cronOf = (s: CronSpec): Cron => new Cron(s.cron, { ...MODE, timezone: s.timezone });

/** Why `cron` is not a pattern a schedule can fire on, or null. */
export function cronIssue(cron: string): string | null {
  // croner reads a text with a colon as one date to fire on once: a schedule repeats.
  if (cron.includes(":")) return "must be a cron pattern of 5 or 6 fields, not a date";
  let parsed: Cron;
  try {
    parsed = new Cron(cron, MODE);
  } catch (err) {
    return err instanceof Error ? err.message.replace(/^Cron(Pattern)?: /, "") : String(err);
  }
  return parsed.nextRun(EPOCH) ? null : "never fires";
}

/** Why `timezone` is not an IANA time zone this runtime knows, or null. */
export function timezoneIssue(timezone: string): string | null {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return null;
  } catch {
    return "unknown time zone: an IANA name such as Europe/Berlin or UTC";
  }
}

/** The first fire strictly after `after`, or null when the pattern fires no more. */
export function nextFireAfter(s: CronSpec, after: Date): Date | null {
  return cronOf(s).nextRun(after);
}

/** The next `n` fires strictly after `after`, in order. */
export function nextFireTimes(s: CronSpec, after: Date, n: number): Date[] {
  return cronOf(s).nextRuns(n, after);
}

/** True when `at` is one of the schedule's fire times (as croner enumerates them: after DST, in real time). */
export function isFireTime(s: CronSpec, at: Date): boolean {
  return nextFireAfter(s, new Date(at.getTime() - 1))?.getTime() === at.getTime();
}

/** The due instants in (after, until]: how many (up to DUE_COUNT_CAP), the latest, and the one before it. */
export type Dues = { count: number; latest: Date; beforeLatest: Date | null };

export function duesBetween(s: CronSpec, after: Date, until: Date): Dues | null {
  const cron = cronOf(s);
  let count = 0;
  let latest: Date | null = null;
  let beforeLatest: Date | null = null;
  for (let t = after; count < DUE_COUNT_CAP; count++) {
    const next = cron.nextRun(t);
    if (!next || next > until) break;
    beforeLatest = latest;
    latest = next;
    t = next;
  }
  if (!latest) return null;
  if (count === DUE_COUNT_CAP) {
    // More than the cap: the last two are found from the end (previousRuns counts back from before its reference).
    const [last, before] = cron.previousRuns(2, new Date(until.getTime() + 1));
    if (last && last > latest) {
      latest = last;
      beforeLatest = before && before > after ? before : null;
    }
  }
  return { count, latest, beforeLatest };
}
