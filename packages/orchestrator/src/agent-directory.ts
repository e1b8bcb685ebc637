import { actionNameSchema } from "@loadline/core";
import { type Namespace, type NatsConnection, PULL_EXPIRES_MS } from "@loadline/nats";
import type { Logger } from "@loadline/service";
import { type ConsumerMessages, DeliverPolicy, type JsMsg, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { z } from "zod";

/** An agent is live while it was heard within this (it sends telemetry every second). */
export const AGENT_LIVE_MS = 5_000;
/** How long start() waits for the agents' last messages before it answers with what it has. */
const CATCH_UP_MS = 3_000;

/** What the orchestrator knows of one agent: its labels, the actions it registered, when it was last heard. */
export type AgentEntry = {
  tenantId: string;
  agentId: string;
  labels: Record<string, string>;
  /** The actions its config file allows, by name, with their timeout; undefined until its registration is seen. */
  actions?: ReadonlyMap<string, { timeoutSec: number }>;
  lastSeenMs: number;
};

/** What the watches and routes ask of the directory. */
export type AgentLookup = {
  /** The live agents of a tenant whose labels include every one of `selector`'s. */
  matching(tenantId: string, selector: Record<string, string>): AgentEntry[];
  /** An agent as last heard (live or not), if it was. */
  get(tenantId: string, agentId: string): AgentEntry | undefined;
};

export const labelsInclude = (labels: Record<string, string>, selector: Record<string, string>): boolean =>
  Object.entries(selector).every(([name, value]) => labels[name] === value);

/**
 * Only the parts read here, leniently: the payloads' full schemas are the agent's contract, and an
 * agent a version apart must still be found by its labels.
 */
const heardSchema = z.object({
  data: z.object({
    labels: z.record(z.string(), z.string()).optional(),
    actions: z.array(z.object({ name: actionNameSchema, timeoutSec: z.number().positive() })).optional(),
  }),
});

/** The agents heard, and which are live: pure, fed by AgentDirectory (and by tests directly). */
export class AgentRoster implements AgentLookup {
  private readonly entries = new Map<string, AgentEntry>();

  constructor(
    private readonly liveMs = AGENT_LIVE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A registration (`actions` given) or a telemetry message of an agent, heard at `atMs`. */
  heard(
    tenantId: string,
    agentId: string,
    atMs: number,
    heard: { labels?: Record<string, string>; actions?: { name: string; timeoutSec: number }[] },
  ): void {
    const key = `${tenantId}/${agentId}`;
    const before = this.entries.get(key);
    const actions = heard.actions ? new Map(heard.actions.map((a) => [a.name, { timeoutSec: a.timeoutSec }])) : before?.actions;
    this.entries.set(key, {
      tenantId,
      agentId,
      labels: heard.labels ?? before?.labels ?? {},
      ...(actions ? { actions } : {}),
      // A replayed registration older than the last telemetry does not make the agent younger.
      lastSeenMs: Math.max(before?.lastSeenMs ?? 0, atMs),
    });
  }

  get(tenantId: string, agentId: string): AgentEntry | undefined {
    return this.entries.get(`${tenantId}/${agentId}`);
  }

  live(tenantId: string): AgentEntry[] {
    const since = this.now() - this.liveMs;
    return [...this.entries.values()].filter((e) => e.tenantId === tenantId && e.lastSeenMs >= since);
  }

  matching(tenantId: string, selector: Record<string, string>): AgentEntry[] {
    return this.live(tenantId).filter((e) => labelsInclude(e.labels, selector));
  }
}

/**
 * The live agents and their labels, from LL_AGENT: an ordered consumer from the last message of
 * each subject (every agent's last registration and telemetry), then everything new. An agent is
 * dated by the stream's timestamp of its message, so a replayed old one is not taken for live.
 */
export class AgentDirectory implements AgentLookup {
  readonly roster: AgentRoster;
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly nc: NatsConnection,
    private readonly ns: Namespace,
    private readonly log: Logger,
    liveMs = AGENT_LIVE_MS,
  ) {
    this.roster = new AgentRoster(liveMs);
  }

  /** Resolves once every agent's last messages are read (or CATCH_UP_MS passed): the directory is then as complete as it gets. */
  async start(): Promise<void> {
    const stored = (await (await jetstreamManager(this.nc)).streams.info(this.ns.streams.agent)).state.messages;
    const consumer = await jetstream(this.nc).consumers.get(this.ns.streams.agent, {
      filter_subjects: `${this.ns.prefix}.agt.>`,
      deliver_policy: DeliverPolicy.LastPerSubject,
    });
    const messages = await consumer.consume({ max_messages: 512, expires: PULL_EXPIRES_MS });
    this.messages = messages;
    let caughtUp: () => void = () => undefined;
    const backlog = new Promise<void>((resolve) => {
      caughtUp = resolve;
    });
    if (stored === 0) caughtUp();
    this.loop = (async () => {
      for await (const m of messages) {
        this.read(m);
        if (m.info.pending === 0) caughtUp();
      }
    })().catch((err: unknown) => this.log.warn({ err }, "agent directory stopped reading LL_AGENT"));
    await Promise.race([backlog, new Promise((r) => setTimeout(r, CATCH_UP_MS).unref())]);
  }

  async stop(): Promise<void> {
    await this.messages?.close().catch(() => undefined);
    await this.loop;
  }

  get(tenantId: string, agentId: string): AgentEntry | undefined {
    return this.roster.get(tenantId, agentId);
  }

  matching(tenantId: string, selector: Record<string, string>): AgentEntry[] {
    return this.roster.matching(tenantId, selector);
  }

  private read(m: JsMsg): void {
    // <prefix>.agt.<tenant>.<agentId>.<kind>
    const [, , tenantId, agentId, kind, ...rest] = m.subject.split(".");
    if (!tenantId || !agentId || rest.length > 0 || (kind !== "registered" && kind !== "telemetry")) return;
    let body: unknown;
    try {
      body = m.json();
    } catch {
      body = null;
    }
    const parsed = heardSchema.safeParse(body);
    if (!parsed.success) {
      this.log.debug({ subject: m.subject, seq: m.seq }, "unreadable agent message: its agent is not listed by it");
      return;
    }
    const atMs = Math.min(Date.now(), m.time.getTime());
    const { labels, actions } = parsed.data.data;
    this.roster.heard(tenantId, agentId, atMs, {
      ...(labels ? { labels } : {}),
      ...(kind === "registered" ? { actions: actions ?? [] } : {}),
    });
  }
}
