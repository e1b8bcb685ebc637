import type { EventEnvelope, WebhookEventType, WebhookFilters } from "@loadline/core";
import { WEBHOOK_EVENT_TYPES } from "@loadline/core";

const SUBSCRIBABLE: ReadonlySet<string> = new Set(WEBHOOK_EVENT_TYPES);

export const isSubscribable = (e: EventEnvelope): e is Extract<EventEnvelope, { type: WebhookEventType }> => SUBSCRIBABLE.has(e.type);

/** What an event is about, as filters read it: its run, and that run's test and the test's tags (none when it has no run). */
export type EventSubject = { runId: string | null; loadTestId: string | null; tags: readonly string[] };

export type Subscription = { events: readonly string[]; filters: WebhookFilters; enabled: boolean };

/**
 * Whether a subscription wants an event: enabled, of a type it names, and within its filters
 * (the run's test; any one of the tags on that test). An event without a run passes no filter.
 */
export function wants(sub: Subscription, type: string, subject: EventSubject): boolean {
  if (!sub.enabled || !sub.events.includes(type)) return false;
  const { loadTestId, tags } = sub.filters;
  if (loadTestId !== undefined && subject.loadTestId !== loadTestId) return false;
  if (tags !== undefined && tags.length > 0 && !tags.some((t) => subject.tags.includes(t))) return false;
  return true;
}
