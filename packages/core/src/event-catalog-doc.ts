import { z } from "zod";
import { CURRENT_SCHEMA_VERSION, type EventType, eventCatalog, metaSchema } from "./envelope.ts";
import { eventExamples } from "./event-examples.ts";

const SUBJECTS: Record<string, string> = {
  "load-test": "<ns>.evt.<tenant>.load-test.<loadTestId>",
  run: "<ns>.evt.<tenant>.run.<runId>",
  worker: "<ns>.evt._fleet.worker.<workerId>",
  "api-key": "<ns>.evt.<tenant>.api-key.<keyId>",
  tenant: "<ns>.evt.<tenant>.tenant.<tenant>",
  secret: "<ns>.evt.<tenant>.secret.<name>",
  schedule: "<ns>.evt.<tenant>.schedule.<scheduleId>",
  agent: "<ns>.evt.<tenant>.agent.<agentId>",
  webhook: "<ns>.evt.<tenant>.webhook.<webhookId>",
  metrics: "<ns>.met.<tenant>.<runId>.<workerId>",
  // What an agent publishes itself, on LL_AGENT: by event type.
  "agent.registered": "<ns>.agt.<tenant>.<agentId>.registered",
  "agent.telemetry": "<ns>.agt.<tenant>.<agentId>.telemetry",
};

const STREAMS: Record<string, string> = {
  "load-test": "LL_EVENTS",
  run: "LL_EVENTS",
  worker: "LL_EVENTS",
  "api-key": "LL_EVENTS",
  tenant: "LL_EVENTS",
  secret: "LL_EVENTS",
  schedule: "LL_EVENTS",
  agent: "LL_EVENTS",
  webhook: "LL_EVENTS",
  metrics: "LL_METRICS",
  "agent.registered": "LL_AGENT",
  "agent.telemetry": "LL_AGENT",
};

/** Where subscribers find an event of `type`: its stream and its subject pattern (`<ns>`, `<tenant>`, ... are tokens). */
export function whereEventIs(type: EventType): { stream: string; subject: string } {
  const where = type in SUBJECTS ? type : type.split(".")[0]!;
  return { stream: STREAMS[where]!, subject: SUBJECTS[where]! };
}

const INTRO = `# Event catalog

Generated from the zod schemas in \`packages/core\` by \`npm run docs:events\`; a test fails when
this file and the schemas disagree. Subscribers: read the envelope, switch on \`type\`, check
\`schemaVersion\`. Each type's whole envelope is also published as a JSON Schema (2020-12) in
[schemas/events/](schemas/events/) (\`<type>.json\`), and the streams and subjects as an AsyncAPI 3
document in [asyncapi.yaml](asyncapi.yaml) (channels, messages with their headers, examples),
generated the same way.

## Subjects and streams

With the default namespace \`ll\` (each installation may set its own with \`LL_NAMESPACE\`; the
stream names are the namespace in capitals, the subjects start with it):

| stream | subjects | retention | holds |
|---|---|---|---|
| LL_COMMANDS | \`ll.cmd.<tenant>.<aggregate>.<id>\`, workers' reports \`ll.cmd.<tenant>.run.<runId>.<workerId>\` | work queue | commands to the orchestrator (not for subscribers; each taken only on its sender's subject) |
| LL_EVENTS | \`ll.evt.<tenant>.<aggregate>.<id>\` | limits, kept | every domain event, one subject per aggregate |
| LL_METRICS | \`ll.met.<tenant>.<runId>.<workerId>\` | limits, max age (30 days) | one metric window per worker per second |
| LL_AGENT | \`ll.agt.<tenant>.<agentId>.<kind>\` | limits, 1 day | control agents' registrations and telemetry (\`agent.registered\`, \`agent.telemetry\`) |

Useful filters: \`ll.evt.*.run.*\` (every run's lifecycle), \`ll.evt.acme.>\` (one tenant),
\`ll.met.*.<runId>.*\` (one run's windows), \`ll.evt._fleet.worker.*\` (the fleet's record: lost workers).

Two core NATS subjects carry no stored data but may be watched: \`ll.hb.<workerId>\` (each worker's
registration, every second) and \`ll.ctl.<tenant>.<runId>\` (an echo of \`run.started\`, \`run.stopping\`,
\`run.cancelled\`, \`run.failed\`, \`run.worker-lost\`, \`run.paused\`, \`run.resumed\` and \`run.scaled\`
once stored: what workers act on at once), and \`ll.actl.<tenant>.<agentId>\` (an echo of
\`agent.action-requested\` once stored: what the agent acts on).

## The envelope

Every message on LL_EVENTS and LL_METRICS is a JSON envelope:

| field | type | meaning |
|---|---|---|
| id | string (UUIDv7) | unique, time-ordered; the \`Nats-Msg-Id\` of domain events (JetStream dedups on it) |
| type | string | one of the types below, past tense |
| schemaVersion | integer | version of \`data\`'s shape (all are ${CURRENT_SCHEMA_VERSION} today); a new shape is a new version with an upcaster |
| tenantId | string | the tenant, as the credential of the request said; \`_fleet\` for the platform's own record of its workers (\`worker.lost\`): workers are shared by every tenant, and no tenant may be named with a leading \`_\` |
| aggregate | {type, id} | what the event is about: \`load-test\`, \`run\`, \`worker\`, \`api-key\`, \`tenant\`, \`secret\`, \`schedule\`, \`agent\` or \`webhook\` and its id |
| time | string (ISO 8601) | when it was recorded |
| actor | string | who caused it: the credential (\`key:<keyId>\`, \`jwt:<sub>\`, \`bootstrap\`), \`orchestrator\`, \`worker:<id>\`, \`agent:<id>\` |
| causationId | string or null | the command that caused it (a user's stop, a worker's report, the orchestrator's own step) |
| correlationId | string | the id shared by everything one request set off. Every event of a run carries the correlation id of the request that started it (the API's run.start, a schedule's fire), and so do the agent actions its timeline fired: one run, one correlation id. Other aggregates' events carry their request's |
| traceparent | string, optional | the W3C trace context (\`00-<trace id>-<span id>-<flags>\`) of the span that produced it, when tracing is on ([operations](operations.md#tracing)): the orchestrator's decision for domain events, the worker's publish for the first window of a run; absent otherwise. A consumer's span of the event is its child |
| data | object | the event's own fields, below |

Headers, as stored: \`Nats-Msg-Id\` on domain events (the envelope id: JetStream drops a
retried append within 2 minutes) and on metric windows (\`<runId>.<workerId>.<second>\`, so a
window re-published after an outage is deduplicated); \`Nats-Expected-Last-Subject-Sequence\` on
domain events: the stream sequence of the aggregate's previous event when it was appended (0 for
its first), the optimistic-concurrency check JetStream made; a subscriber may ignore it. Agent
registrations and telemetry carry no header. With tracing on, \`traceparent\` (and
\`tracestate\` when the trace has one: W3C trace context) on domain events, on commands and on the first metric window of
each worker's run, the same \`traceparent\` as the envelope's (the header is what a NATS-aware
tracer reads without parsing the payload; the envelope's field survives a copy of the payload alone);
none with tracing off.

## Events
`;

export function eventCatalogMarkdown(): string {
  const sections = (Object.keys(eventCatalog) as EventType[]).map((type) => {
    const { stream, subject } = whereEventIs(type);
    const schema = z.toJSONSchema(eventCatalog[type], { io: "input" });
    delete (schema as { $schema?: string }).$schema;
    return `### \`${type}\`

- stream: ${stream}
- subject: \`${subject}\`
- schemaVersion: ${CURRENT_SCHEMA_VERSION}

Schema of \`data\` (JSON Schema):

\`\`\`json
${JSON.stringify(schema, null, 2)}
\`\`\`

Example \`data\`:

\`\`\`json
${JSON.stringify(eventExamples[type], null, 2)}
\`\`\`
`;
  });
  return `${INTRO}\n${sections.join("\n")}`;
}

/**
 * Each event type's whole envelope as a JSON Schema (2020-12), `type` and `schemaVersion` fixed and
 * `data` the type's own: what docs/schemas/events/<type>.json publish for subscribers that check
 * messages with a JSON Schema validator. Generated from the same zod schemas as events.md.
 */
export function eventJsonSchemas(): Record<string, object> {
  const schemas: Record<string, object> = {};
  for (const type of Object.keys(eventCatalog) as EventType[]) {
    const schema = eventEnvelopeJsonSchema(type, "draft-2020-12");
    schemas[type] = {
      $schema: schema.$schema,
      $id: `loadline:event:${type}:v${CURRENT_SCHEMA_VERSION}`,
      title: type,
      description: `The envelope of a ${type} event (see docs/events.md)`,
      ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "$schema")),
    };
  }
  return schemas;
}

/** The whole envelope of an event of `type` as a JSON Schema of `target`'s draft: `type` and `schemaVersion` fixed. */
export function eventEnvelopeJsonSchema(type: EventType, target: "draft-2020-12" | "draft-7"): Record<string, unknown> {
  const envelope = metaSchema.extend({
    type: z.literal(type),
    schemaVersion: z.literal(CURRENT_SCHEMA_VERSION),
    data: eventCatalog[type],
  });
  return z.toJSONSchema(envelope, { io: "input", target }) as Record<string, unknown>;
}
