import { z } from "zod";
import { CURRENT_SCHEMA_VERSION, type EventType, eventCatalog } from "./envelope.ts";
import { eventExamples } from "./event-examples.ts";

const SUBJECTS: Record<string, string> = {
  "load-test": "<ns>.evt.<tenant>.load-test.<loadTestId>",
  run: "<ns>.evt.<tenant>.run.<runId>",
  worker: "<ns>.evt._fleet.worker.<workerId>",
  "api-key": "<ns>.evt.<tenant>.api-key.<keyId>",
  tenant: "<ns>.evt.<tenant>.tenant.<tenant>",
  secret: "<ns>.evt.<tenant>.secret.<name>",
  schedule: "<ns>.evt.<tenant>.schedule.<scheduleId>",
  metrics: "<ns>.met.<tenant>.<runId>.<workerId>",
};

const STREAMS: Record<string, string> = {
  "load-test": "LL_EVENTS",
  run: "LL_EVENTS",
  worker: "LL_EVENTS",
  "api-key": "LL_EVENTS",
  tenant: "LL_EVENTS",
  secret: "LL_EVENTS",
  schedule: "LL_EVENTS",
  metrics: "LL_METRICS",
};

const INTRO = `# Event catalog

Generated from the zod schemas in \`packages/core\` by \`npm run docs:events\`; a test fails when
this file and the schemas disagree. Subscribers: read the envelope, switch on \`type\`, check
\`schemaVersion\`.

## Subjects and streams

With the default namespace \`ll\` (each installation may set its own with \`LL_NAMESPACE\`; the
stream names are the namespace in capitals, the subjects start with it):

| stream | subjects | retention | holds |
|---|---|---|---|
| LL_COMMANDS | \`ll.cmd.<tenant>.<aggregate>.<id>\`, workers' reports \`ll.cmd.<tenant>.run.<runId>.<workerId>\` | work queue | commands to the orchestrator (not for subscribers; each taken only on its sender's subject) |
| LL_EVENTS | \`ll.evt.<tenant>.<aggregate>.<id>\` | limits, kept | every domain event, one subject per aggregate |
| LL_METRICS | \`ll.met.<tenant>.<runId>.<workerId>\` | limits, max age (30 days) | one metric window per worker per second |
| LL_AGENT | \`ll.agt.<agentId>.<kind>\` | limits, 1 day | control agents' registrations and heartbeats |

Useful filters: \`ll.evt.*.run.*\` (every run's lifecycle), \`ll.evt.acme.>\` (one tenant),
\`ll.met.*.<runId>.*\` (one run's windows), \`ll.evt._fleet.worker.*\` (the fleet's record: lost workers).

Two core NATS subjects carry no stored data but may be watched: \`ll.hb.<workerId>\` (each worker's
registration, every second) and \`ll.ctl.<tenant>.<runId>\` (an echo of \`run.stopping\`,
\`run.cancelled\`, \`run.failed\` and \`run.worker-lost\` once stored).

## The envelope

Every message on LL_EVENTS and LL_METRICS is a JSON envelope:

| field | type | meaning |
|---|---|---|
| id | string (UUIDv7) | unique, time-ordered; the \`Nats-Msg-Id\` of domain events (JetStream dedups on it) |
| type | string | one of the types below, past tense |
| schemaVersion | integer | version of \`data\`'s shape (all are ${CURRENT_SCHEMA_VERSION} today); a new shape is a new version with an upcaster |
| tenantId | string | the tenant, as the credential of the request said (\`_fleet\` for the platform's own record of workers) |
| aggregate | {type, id} | what the event is about: \`load-test\`, \`run\`, \`worker\`, \`api-key\`, \`tenant\`, \`secret\` or \`schedule\` and its id |
| time | string (ISO 8601) | when it was recorded |
| actor | string | who caused it: the credential (\`key:<keyId>\`, \`jwt:<sub>\`, \`bootstrap\`), \`orchestrator\`, \`worker:<id>\` |
| causationId | string or null | the command that caused it |
| correlationId | string | the id shared by everything one request set off |
| data | object | the event's own fields, below |

Headers: \`Nats-Msg-Id\` (the envelope id; for metric windows \`<runId>.<workerId>.<second>\`, so a
window re-published after an outage is deduplicated), \`traceparent\` when a trace is active.

## Events
`;

export function eventCatalogMarkdown(): string {
  const sections = (Object.keys(eventCatalog) as EventType[]).map((type) => {
    const aggregate = type.split(".")[0]!;
    const schema = z.toJSONSchema(eventCatalog[type], { io: "input" });
    delete (schema as { $schema?: string }).$schema;
    return `### \`${type}\`

- stream: ${STREAMS[aggregate]}
- subject: \`${SUBJECTS[aggregate]}\`
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
