import {
  ConcurrencyError,
  DomainError,
  EventStore,
  eventsFromCommand,
  type CommandEnvelope,
  type CommandOutcome,
  type EventEnvelope,
  type Logger,
} from "@loadline/core";
import { commandMatchesAggregate, deciders } from "./aggregates.ts";
import { KeyedLanes } from "./keyed-lanes.ts";

type Loaded = { state: unknown; version: number; causations: Set<string> };

const MAX_ATTEMPTS = 5;

/**
 * Decides a command against its aggregate and appends the events with optimistic
 * concurrency. Aggregates stay cached; a ConcurrencyError (another writer got there first)
 * reloads from the stream and decides again. A command already applied (a redelivery after
 * a crash) is recognised by its causation id and answered without new events.
 */
export class CommandHandler {
  private readonly cache = new Map<string, Loaded>();
  private readonly lanes = new KeyedLanes();

  constructor(
    private readonly store: EventStore,
    private readonly log: Logger,
    private readonly onEvents: (events: EventEnvelope[], seqs: number[]) => void = () => undefined,
  ) {}

  /** One aggregate's commands one at a time, whoever sends them (the consumer, the supervisor); other aggregates' at once. */
  handle(command: CommandEnvelope): Promise<CommandOutcome> {
    return this.lanes.run(this.key(command), () => this.decideAndAppend(command));
  }

  private async decideAndAppend(command: CommandEnvelope): Promise<CommandOutcome> {
    const base = { commandId: command.id, aggregateId: command.aggregate.id };
    if (!commandMatchesAggregate(command)) {
      return { ...base, ok: false, error: { code: "invalid", message: `${command.type} does not apply to a ${command.aggregate.type}` } };
    }
    for (let attempt = 1; ; attempt++) {
      const loaded = await this.load(command);
      if (loaded.causations.has(command.id)) return { ...base, ok: true, version: loaded.version, seqs: [] };
      let events: EventEnvelope[];
      try {
        events = eventsFromCommand(command, deciders[command.aggregate.type].decide(loaded.state, command));
      } catch (err) {
        if (err instanceof DomainError) {
          return { ...base, ok: false, error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } };
        }
        throw err;
      }
      if (events.length === 0) return { ...base, ok: true, version: loaded.version, seqs: [] };
      try {
        const result = await this.store.append(command.tenantId, command.aggregate, events, { expectedVersion: loaded.version });
        // At debug: what the chaos suite checks the stream against ("no acknowledged event is missing").
        this.log.debug({ tenantId: command.tenantId, aggregate: command.aggregate, types: events.map((e) => e.type), seqs: result.seqs }, "events appended");
        this.remember(command, loaded, events, result.version);
        this.onEvents(events, result.seqs);
        return { ...base, ok: true, version: result.version, seqs: result.seqs };
      } catch (err) {
        if (!(err instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw err;
        this.log.debug({ aggregate: command.aggregate, attempt }, "concurrent append, reloading");
        this.cache.delete(this.key(command));
      }
    }
  }

  /** The current state of an aggregate, as the deciders see it. */
  async state(command: Pick<CommandEnvelope, "tenantId" | "aggregate">): Promise<unknown> {
    return (await this.load(command)).state;
  }

  /** The state of an aggregate as this handler last left it, when it has it: no I/O. */
  peek(c: Pick<CommandEnvelope, "tenantId" | "aggregate">): unknown {
    return this.cache.get(this.key(c))?.state;
  }

  /** Seeds the cache from a replay, so recovery does not read every aggregate twice. */
  prime(tenantId: string, aggregate: EventEnvelope["aggregate"], state: unknown, version: number, causations: Iterable<string>): void {
    this.cache.set(`${tenantId}/${aggregate.type}/${aggregate.id}`, { state, version, causations: new Set(causations) });
  }

  private key(c: Pick<CommandEnvelope, "tenantId" | "aggregate">): string {
    return `${c.tenantId}/${c.aggregate.type}/${c.aggregate.id}`;
  }

  private async load(c: Pick<CommandEnvelope, "tenantId" | "aggregate">): Promise<Loaded> {
    const cached = this.cache.get(this.key(c));
    if (cached) return cached;
    const decider = deciders[c.aggregate.type];
    const { events, version } = await this.store.read(c.tenantId, c.aggregate);
    const loaded: Loaded = {
      state: events.reduce((s, e) => decider.evolve(s, e.event), decider.initialState),
      version,
      causations: new Set(events.map((e) => e.event.causationId).filter((id): id is string => id !== null)),
    };
    this.cache.set(this.key(c), loaded);
    return loaded;
  }

  private remember(command: CommandEnvelope, loaded: Loaded, events: EventEnvelope[], version: number): void {
    const decider = deciders[command.aggregate.type];
    loaded.state = events.reduce((s, e) => decider.evolve(s, e), loaded.state);
    loaded.version = version;
    loaded.causations.add(command.id);
  }
}
