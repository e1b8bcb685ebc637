import type { EventEnvelope, WebhookFormat } from "@loadline/core";

/** What a Slack message says of the event's run beyond the event, when known (read when the event is matched). */
export type RunSummary = {
  name: string | null;
  status: string;
  verdict: string;
  /** Whole-run p95 latency, ms, and failed requests over requests: once the run's metrics are counted. */
  p95Ms: number | null;
  errorRate: number | null;
};

export type PayloadContext = { runId: string | null; run: RunSummary | null };

/**
 * The event's data as a receiver gets it. Events carry no secret values (run.created's sealed
 * secrets are not subscribable); an agent action's `output` (a host's stdout, up to 64 KiB) is
 * left out: it is the SUT host's, readable in the API, not something to send to a third party.
 */
function publicData(event: EventEnvelope): unknown {
  if (event.type === "agent.action-completed" || event.type === "agent.action-failed") {
    const { output: _output, ...data } = event.data;
    return data;
  }
  return event.data;
}

function linksOf(event: EventEnvelope, runId: string | null): Record<string, string> {
  return {
    ...(runId ? { run: `/v1/runs/${runId}` } : {}),
    ...(event.aggregate.type === "agent" ? { agent: `/v1/agents/${event.aggregate.id}` } : {}),
  };
}

/** The `loadline` format: the event as JSON, with links into the API. */
export function loadlineBody(event: EventEnvelope, ctx: PayloadContext) {
  return {
    id: event.id,
    type: event.type,
    occurredAt: event.time,
    tenantId: event.tenantId,
    data: publicData(event),
    links: linksOf(event, ctx.runId),
  };
}

const percent = (x: number) => `${(x * 100).toFixed(2)}%`;

/** One line a person reads: what happened to which run, and how it went. */
export function summaryLine(event: EventEnvelope, ctx: PayloadContext): string {
  const run = ctx.run;
  const what = run?.name ? `${run.name} (${ctx.runId})` : ctx.runId ? `run ${ctx.runId}` : `${event.aggregate.type} ${event.aggregate.id}`;
  const facts = [
    ...(run ? [`status ${run.status}`] : []),
    ...(run && run.verdict !== "none" ? [`verdict ${run.verdict}`] : []),
    ...(run?.p95Ms != null ? [`p95 ${run.p95Ms} ms`] : []),
    ...(run?.errorRate != null ? [`errors ${percent(run.errorRate)}`] : []),
    ...(event.type === "run.failed" || event.type === "run.cancelled" ? [event.data.reason] : []),
    ...(event.type === "agent.action-failed" ? [event.data.reason] : []),
  ];
  return `Loadline ${event.type}: ${what}${facts.length > 0 ? ` — ${facts.join(", ")}` : ""}`;
}

/** The `slack` format: what Slack's incoming webhooks post (text, and the same as a section block). */
export function slackBody(event: EventEnvelope, ctx: PayloadContext) {
  const text = summaryLine(event, ctx);
  return { text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }] };
}

/** The body of a delivery, as the bytes that are signed and sent at every attempt. */
export function renderBody(format: WebhookFormat, event: EventEnvelope, ctx: PayloadContext): string {
  return JSON.stringify(format === "slack" ? slackBody(event, ctx) : loadlineBody(event, ctx));
}
