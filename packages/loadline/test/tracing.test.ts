import { TRACEPARENT_PATTERN } from "@loadline/core";
import { eventually } from "@loadline/core/testing";
import { contextOfMessage, injectTraceHeaders, TRACEPARENT_HEADER, traceparentOf } from "@loadline/nats";
import { type FinishedSpan, startInMemoryTracing } from "@loadline/service";
import { jetstream } from "@nats-io/jetstream";
import { connect, headers } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StackFixture, startTestStack } from "./fixture.ts";

/**
 * Traces on the whole stack (real NATS, real Postgres), into memory: a run's start is one trace,
 * from the caller's traceparent through the API, the command, the orchestrator's decisions, the
 * events, the worker's lanes and its first window, to the metrics projection's apply of it.
 */

// SpanKind's values (@opentelemetry/api), which this package does not import.
const KIND = { internal: 0, server: 1, producer: 3, consumer: 4 } as const;

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";

let tracing: ReturnType<typeof startInMemoryTracing>;
let f: StackFixture;
let authorization: string;
beforeAll(async () => {
  tracing = startInMemoryTracing(); // before the stack: its own startTracing then leaves this one be
  f = await startTestStack();
  authorization = `Bearer ${f.stack.adminKey}`;
}, 60_000);
afterAll(async () => {
  await f?.close();
  await tracing?.shutdown();
});

async function call(method: string, path: string, body?: unknown, extra: Record<string, string> = {}) {
  const res = await fetch(`${f.stack.apiUrl}${path}`, {
    method,
    headers: { authorization, "content-type": "application/json", ...extra },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

const inTrace = (traceId: string) => tracing.spans().filter((s) => s.spanContext().traceId === traceId);
const parentOf = (span: FinishedSpan) => span.parentSpanContext?.spanId;
const idOf = (span: FinishedSpan) => span.spanContext().spanId;

function one(spans: FinishedSpan[], what: string, match: (s: FinishedSpan) => boolean): FinishedSpan {
  const found = spans.filter(match);
  if (found.length === 0) throw new Error(`no ${what} among ${spans.map((s) => s.name).join(", ")}`);
  return found[0]!;
}

describe("the NATS header carrier", () => {
  it("carries a span's context in NATS headers and back, the same as the envelope's traceparent", () => {
    const traceparent = `00-${TRACE_ID}-${CALLER_SPAN}-01`;
    const remote = contextOfMessage(undefined, { traceparent });
    expect(traceparentOf(remote)).toBe(traceparent);
    const h = headers();
    injectTraceHeaders(remote, h);
    expect(h.get(TRACEPARENT_HEADER)).toBe(traceparent);
    expect(traceparentOf(contextOfMessage(h))).toBe(traceparent);
    // The headers win over the envelope's field.
    expect(traceparentOf(contextOfMessage(h, { traceparent: `00-${"1".repeat(32)}-${"2".repeat(16)}-01` }))).toBe(traceparent);
  });
});

describe("HTTP server spans", () => {
  it("continue the caller's trace whatever the method (a PUT's traceparent was once dropped)", async () => {
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const put = await call("PUT", "/v1/secrets/traced", { value: "s3cret" }, { traceparent: `00-${traceId}-${CALLER_SPAN}-01` });
    const server = await eventually(() => inTrace(traceId).find((s) => s.kind === KIND.server) ?? false, 5_000);
    expect(server.name).toBe("PUT /v1/secrets/:name");
    expect(parentOf(server)).toBe(CALLER_SPAN);
    expect(server.attributes).toMatchObject({
      "http.request.method": "PUT",
      "http.response.status_code": put.status,
      "url.path": "/v1/secrets/traced",
    });
  });

  it("start a trace of their own for a caller that sends none", async () => {
    tracing.reset();
    expect((await call("GET", "/healthz")).status).toBe(200); // probes are not traced
    await call("GET", "/v1/workers");
    const server = await eventually(
      () => tracing.spans().find((s) => s.kind === KIND.server && s.attributes["http.route"] === "/v1/workers") ?? false,
      5_000,
    );
    expect(server.parentSpanContext).toBeUndefined();
    expect(server.name).toBe("GET /v1/workers");
    expect(tracing.spans().filter((s) => s.attributes["url.path"] === "/healthz")).toEqual([]);
  });
});

describe("a run's start, traced end to end", () => {
  it("is one trace from the caller's traceparent to the metrics projection's apply of the first window", async () => {
    const created = await call("POST", "/v1/load-tests", {
      name: "traced",
      targetUrl: f.stack.demoTarget!.url,
      requests: [{ method: "GET", path: "/fixed?ms=1" }],
      defaultUsers: 1,
      defaultSpawnRate: 100,
      defaultDurationSec: 3,
    });
    expect(created.status).toBe(201);
    const testId: string = created.body.id;
    // The in-process worker is in the fleet, so the run is planned at once rather than on a retry.
    await eventually(async () => (await call("GET", "/v1/workers")).body?.workers?.length > 0, 15_000);

    const started = await call("POST", `/v1/load-tests/${testId}/runs`, {}, { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` });
    expect(started.status).toBe(201);
    const runId: string = started.body.id;

    // The metrics projection applied a window of this run in this trace: the last span of the path.
    const applied = await eventually(
      () =>
        inTrace(TRACE_ID).find(
          (s) => s.kind === KIND.consumer && s.attributes["loadline.projection"] === "metrics" && s.attributes["loadline.run_id"] === runId,
        ) ?? false,
      30_000,
    );
    const spans = inTrace(TRACE_ID);

    // The API's server span, child of the caller's.
    const http = one(spans, "HTTP server span", (s) => s.kind === KIND.server && s.attributes["http.route"] === "/v1/load-tests/:id/runs");
    expect(http.name).toBe("POST /v1/load-tests/:id/runs");
    expect(parentOf(http)).toBe(CALLER_SPAN);
    expect(http.attributes).toMatchObject({
      "http.request.method": "POST",
      "http.response.status_code": 201,
      "url.path": `/v1/load-tests/${testId}/runs`,
    });

    // The command: published inside the request, processed by the orchestrator as its child.
    const publish = one(spans, "command publish", (s) => s.kind === KIND.producer && s.attributes["loadline.command.type"] === "run.start");
    expect(parentOf(publish)).toBe(idOf(http));
    const commandSubject = `${f.stack.ns.prefix}.cmd.${started.body.tenantId ?? publish.attributes["loadline.tenant_id"]}.run.${runId}`;
    expect(publish.attributes).toMatchObject({
      "messaging.system": "nats",
      "messaging.operation.type": "publish",
      "messaging.destination.name": commandSubject,
      "loadline.run_id": runId,
    });
    expect(publish.name).toBe(`publish ${f.stack.ns.prefix}.cmd.{tenant}.run.{id}`);
    const process = one(spans, "command process", (s) => s.kind === KIND.consumer && s.attributes["loadline.command.type"] === "run.start");
    expect(parentOf(process)).toBe(idOf(publish));
    expect(process.attributes).toMatchObject({
      "messaging.system": "nats",
      "messaging.operation.type": "process",
      "messaging.destination.name": commandSubject,
      "messaging.message.id": publish.attributes["messaging.message.id"],
    });

    // The orchestrator's decision of it (run.start is decided as run.create), then the supervisor's plan, in the same trace.
    const decision = one(spans, "decision", (s) => s.name === "decide run.create");
    expect(parentOf(decision)).toBe(idOf(process));
    expect(decision.kind).toBe(KIND.internal);
    const assign = one(spans, "assignment decision", (s) => s.name === "decide run.assign");
    expect(parentOf(assign)).toBe(idOf(decision));

    // The worker hears its assignment, reports ready (a command, decided), and hears run.started.
    const assigned = one(
      spans,
      "worker-assigned consumption",
      (s) => s.kind === KIND.consumer && s.attributes["loadline.event.type"] === "run.worker-assigned" && parentOf(s) === idOf(assign),
    );
    const ready = one(
      spans,
      "ready report",
      (s) => s.kind === KIND.producer && s.attributes["loadline.command.type"] === "run.report-worker-ready",
    );
    expect(parentOf(ready)).toBe(idOf(assigned));
    const readyDecision = one(spans, "ready decision", (s) => s.name === "decide run.report-worker-ready");
    const runStarted = spans.filter(
      (s) => s.kind === KIND.consumer && s.attributes["loadline.event.type"] === "run.started" && parentOf(s) === idOf(readyDecision),
    );
    expect(runStarted.length).toBeGreaterThan(0); // by the echo, the stream, or both

    // The lanes' start, child of one of those; the first window's publish, its child; the projection's apply, that one's.
    const lanes = one(spans, "lanes' start", (s) => s.name === "start lanes");
    expect(runStarted.map(idOf)).toContain(parentOf(lanes));
    expect(lanes.attributes["loadline.run_id"]).toBe(runId);
    const window = one(
      spans,
      "window publish",
      (s) => s.kind === KIND.producer && s.attributes["loadline.event.type"] === "metrics.window",
    );
    expect(parentOf(window)).toBe(idOf(lanes));
    expect(window.attributes).toMatchObject({
      "messaging.system": "nats",
      "messaging.operation.type": "publish",
      "loadline.run_id": runId,
    });
    expect(parentOf(applied)).toBe(idOf(window));
    expect(applied.attributes).toMatchObject({
      "messaging.operation.type": "process",
      "messaging.message.id": window.attributes["messaging.message.id"],
      "loadline.event.type": "metrics.window",
    });
    // Later windows start no spans of their own: a run is not a trace of thousands of spans.
    expect(spans.filter((s) => s.attributes["loadline.event.type"] === "metrics.window" && s.kind === KIND.producer)).toHaveLength(1);

    // What is stored carries the context too: the run's first event, in its headers and in its envelope.
    const nc = await connect({ servers: f.stack.natsUrl });
    try {
      const stream = await jetstream(nc).streams.get(f.stack.ns.streams.events);
      const stored = await stream.getMessage({ seq: Number(started.headers.get("x-event-seq")) });
      const envelope = stored!.json<{ type: string; traceparent?: string }>();
      expect(envelope.type).toBe("run.created");
      const header = stored!.header.get(TRACEPARENT_HEADER);
      expect(header).toMatch(TRACEPARENT_PATTERN);
      expect(envelope.traceparent).toBe(header);
      expect(header).toBe(`00-${TRACE_ID}-${idOf(decision)}-01`);
      // And the first window of the run on LL_METRICS (the one traced), as its envelope's.
      const first = await (
        await jetstream(nc).consumers.get(f.stack.ns.streams.metrics, {
          filter_subjects: String(window.attributes["messaging.destination.name"]),
        })
      ).next();
      expect(first?.headers?.get(TRACEPARENT_HEADER)).toBe(`00-${TRACE_ID}-${idOf(window)}-01`);
      expect(first?.json<{ traceparent?: string }>().traceparent).toBe(`00-${TRACE_ID}-${idOf(window)}-01`);
    } finally {
      await nc.close();
    }
  }, 60_000);
});
