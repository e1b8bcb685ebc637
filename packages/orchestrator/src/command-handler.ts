import {
  type AgentState,
  type AggregateRef,
  type ApiKeyState,
  agentDecider,
  apiKeyDecider,
  type CommandEnvelope,
  type CommandFor,
  type CommandType,
  ConcurrencyError,
  compileRun,
  correlationFor,
  createCommand,
  type Decider,
  DomainError,
  decides,
  type EventEnvelope,
  type EventStore,
  eventsFromCommand,
  LIVE_LOAD_STATUSES,
  type LoadedAggregate,
  type LoadTestSpec,
  type LoadTestState,
  loadTestDecider,
  type PlatformDefaults,
  type Quotas,
  type RunState,
  type RunStatus,
  type RunTarget,
  runAdmission,
  runDecider,
  runDemand,
  runPlan,
  runQuotaViolation,
  runScopeOf,
  type ScheduleState,
  SchemaError,
  type SecretState,
  scheduleDecider,
  secretDecider,
  secretReferences,
  specTargetRefusal,
  type TargetedSpec,
  type TenantRuns,
  type TenantState,
  tenantDecider,
  tenantPolicy,
  type WebhookState,
  type WorkerState,
  webhookDecider,
  workerDecider,
} from "@loadline/core";
import { activeOrCarried, type CommandOutcome, currentTraceContext, envelopeAttributes, type Link, linkOf, withSpan } from "@loadline/nats";
import { ID_PATTERN, type Logger } from "@loadline/service";
import { AggregateCache, keyOf } from "./aggregate-cache.ts";
import { KeyedLanes } from "./keyed-lanes.ts";
import { LaneBatches } from "./lane-batches.ts";
import { scheduleRefusal } from "./schedule-checks.ts";
import { webhookUrlRefusal } from "./webhook-checks.ts";

const MAX_ATTEMPTS = 5;

/**
 * Decides a command against its aggregate and appends the events with optimistic
 * concurrency. Aggregates stay cached; a ConcurrencyError (another writer got there first)
 * reloads from the store and decides again. A command already applied (a redelivery after
 * a crash) is recognised by its causation id and answered without new events.
 */
export class CommandHandler {
  private readonly runs: AggregateCache<RunState>;
  private readonly loadTests: AggregateCache<LoadTestState>;
  private readonly workers: AggregateCache<WorkerState>;
  private readonly apiKeys: AggregateCache<ApiKeyState>;
  private readonly tenants: AggregateCache<TenantState>;
  private readonly secrets: AggregateCache<SecretState>;
  private readonly schedules: AggregateCache<ScheduleState>;
  private readonly agents: AggregateCache<AgentState>;
  private readonly webhooks: AggregateCache<WebhookState>;
  private readonly lanes = new KeyedLanes();
  private readonly readyReports = new LaneBatches<CommandFor<"run.report-worker-ready">, CommandOutcome>(this.lanes, (reports) =>
    this.decideReady(reports),
  );

  constructor(
    private readonly store: EventStore,
    private readonly log: Logger,
    /** What a tenant nobody configured may do: its targets and quotas. */
    private readonly platform: PlatformDefaults,
    private readonly onEvents: (events: EventEnvelope[], seqs: number[]) => void = () => undefined,
  ) {
    this.runs = new AggregateCache(store, runDecider);
    this.loadTests = new AggregateCache(store, loadTestDecider);
    this.workers = new AggregateCache(store, workerDecider);
    this.apiKeys = new AggregateCache(store, apiKeyDecider);
    this.tenants = new AggregateCache(store, tenantDecider);
    this.secrets = new AggregateCache(store, secretDecider);
    this.schedules = new AggregateCache(store, scheduleDecider);
    this.agents = new AggregateCache(store, agentDecider);
    this.webhooks = new AggregateCache(store, webhookDecider);
  }

  /** Every run by status, of every tenant (all are primed at takeover): what loadline_runs reports. */
  runsByStatus(): Map<string, number> {
    return this.runs.countBy((r) => r.status);
  }

  /** The correlation id a run's events carry (its starting request's), when cached. */
  runCorrelation(tenantId: string, id: string): string | undefined {
    return this.runs.peek(tenantId, { type: "run", id })?.origin ?? undefined;
  }

  /** A run as this handler last left it, when cached: no I/O (the supervisor's view). */
  peekRun(tenantId: string, id: string): RunState | undefined {
    return this.runs.peek(tenantId, { type: "run", id })?.state;
  }

  /** Seeds a run from a replay of the store, so recovery does not read every run twice. */
  primeRun(tenantId: string, id: string, run: LoadedAggregate<RunState>): void {
    this.runs.prime(tenantId, { type: "run", id }, run);
  }

  /** Seeds a load test from a replay: with every test primed, a tenant's tests can be counted against its quota. */
  primeLoadTest(tenantId: string, id: string, test: LoadedAggregate<LoadTestState>): void {
    this.loadTests.prime(tenantId, { type: "load-test", id }, test);
  }

  /** A tenant's runs with load to run, and those queued: what its concurrency quota counts. */
  tenantRuns(tenantId: string): TenantRuns {
    return {
      live: this.runs.count(tenantId, (r) => r.status === "Pending" || LIVE_LOAD_STATUSES.includes(r.status as RunStatus)),
      queued: this.runs.count(tenantId, (r) => r.status === "Queued"),
    };
  }

  /** A tenant's quotas as they are now (the supervisor admits queued runs by them). */
  async quotasOf(tenantId: string): Promise<Quotas> {
    return (await this.policyOf(tenantId)).quotas;
  }

  /** A schedule as this handler last left it, when cached: no I/O (the scheduler's view). */
  peekSchedule(tenantId: string, id: string): ScheduleState | undefined {
    return this.schedules.peek(tenantId, { type: "schedule", id })?.state;
  }

  /** A schedule, loaded in its own lane when not cached. */
  async loadSchedule(tenantId: string, id: string): Promise<ScheduleState> {
    return (await this.other(this.schedules, tenantId, { type: "schedule", id })).state;
  }

  /** An agent's record as this handler last left it, when cached: no I/O (the action watch's view). */
  peekAgent(tenantId: string, id: string): AgentState | undefined {
    return this.agents.peek(tenantId, { type: "agent", id })?.state;
  }

  /** Seeds an agent's record from a replay (recovery reads them all for the action watch). */
  primeAgent(tenantId: string, id: string, agent: LoadedAggregate<AgentState>): void {
    this.agents.prime(tenantId, { type: "agent", id }, agent);
  }

  /** Seeds a schedule from a replay (recovery reads them all for the scheduler). */
  primeSchedule(tenantId: string, id: string, schedule: LoadedAggregate<ScheduleState>): void {
    this.schedules.prime(tenantId, { type: "schedule", id }, schedule);
  }

  /** One aggregate's commands one at a time, whoever sends them (the consumer, the supervisor); other aggregates' at once. */
  handle(command: CommandEnvelope): Promise<CommandOutcome> {
    const key = keyOf(command.tenantId, command.aggregate);
    if (command.type === "run.report-worker-ready") return this.readyReports.add(key, command);
    return this.lanes.run(key, () => this.route(command));
  }

  /**
   * Group commit of readiness: the reports of one run that waited behind its lane (every worker
   * of a run reports at once) are decided as one command, in one append. A batch refused (a
   * report from a worker without a share) is decided report by report, so that only it is refused.
   */
  private async decideReady(reports: CommandFor<"run.report-worker-ready">[]): Promise<CommandOutcome[]> {
    const [first] = reports;
    if (first && reports.length > 1) {
      const together = createCommand({
        type: "run.record-workers-ready",
        tenantId: first.tenantId,
        aggregate: first.aggregate,
        data: { workerIds: reports.map((r) => r.data.workerId) },
        correlationId: first.correlationId,
      });
      // Traced: its span is the first report's child, linked to the others' (a span has one parent).
      const outcome = await this.decide(this.runs, runDecider, together, () =>
        reports.slice(1).flatMap((r) => linkOf(r.traceparent) ?? []),
      );
      if (outcome.ok) return reports.map((r) => ({ ...outcome, commandId: r.id }));
    }
    const outcomes: CommandOutcome[] = [];
    for (const report of reports) outcomes.push(await this.decide(this.runs, runDecider, report));
    return outcomes;
  }

  private route(command: CommandEnvelope): Promise<CommandOutcome> {
    switch (command.aggregate.type) {
      case "load-test":
        if (command.type === "load-test.create" || command.type === "load-test.update") return this.writeLoadTest(command);
        return command.type === "load-test.set-baseline"
          ? this.setBaseline(command)
          : this.decide(this.loadTests, loadTestDecider, command);
      case "run":
        if (command.type === "run.start") return this.startRun(command);
        return command.type === "run.scale" ? this.scaleRun(command) : this.decide(this.runs, runDecider, command);
      case "worker":
        return this.decide(this.workers, workerDecider, command);
      case "api-key":
        return this.decide(this.apiKeys, apiKeyDecider, command);
      case "tenant":
        // A tenant's settings are its own aggregate, named by the tenant: no other id is one.
        if (command.aggregate.id !== command.tenantId)
          return Promise.resolve(refused(command, new DomainError("invalid", "a tenant's settings are named by the tenant", "tenant")));
        return this.decide(this.tenants, tenantDecider, command);
      case "secret":
        return this.decide(this.secrets, secretDecider, command);
      case "schedule":
        return command.type === "schedule.create" || command.type === "schedule.update"
          ? this.writeSchedule(command)
          : this.decide(this.schedules, scheduleDecider, command);
      case "agent":
        return this.decide(this.agents, agentDecider, command);
      case "webhook":
        return this.writeWebhook(command);
    }
  }

  /** A webhook's URL is checked against the tenant's allow-list when it is written, as a test's targets are. */
  private async writeWebhook(command: CommandEnvelope): Promise<CommandOutcome> {
    const url =
      command.type === "webhook.create" ? command.data.url : command.type === "webhook.update" ? command.data.changes.url : undefined;
    const refusal = url === undefined ? null : webhookUrlRefusal(url, await this.policyOf(command.tenantId));
    return refusal ? refused(command, refusal) : this.decide(this.webhooks, webhookDecider, command);
  }

  /** An aggregate of another lane, read in that lane (see startRun). */
  private other<S>(cache: AggregateCache<S>, tenantId: string, ref: AggregateRef): Promise<LoadedAggregate<S>> {
    return this.lanes.run(keyOf(tenantId, ref), () => cache.load(tenantId, ref));
  }

  private async policyOf(tenantId: string): Promise<PlatformDefaults> {
    const tenant = await this.other(this.tenants, tenantId, { type: "tenant", id: tenantId });
    return tenantPolicy(this.platform, tenant.state);
  }

  /** A test is written only with targets its tenant may hit, and a new one only within the tenant's count of tests. */
  private async writeLoadTest(command: CommandFor<"load-test.create" | "load-test.update">): Promise<CommandOutcome> {
    try {
      const policy = await this.policyOf(command.tenantId);
      // A field with env placeholders is checked at each run's start, filled (startRun).
      assertTargets(command.data.spec, policy, true);
      if (command.type === "load-test.create") {
        const tests = this.loadTests.count(command.tenantId, (t) => t.status === "active");
        if (tests >= policy.quotas.maxLoadTests)
          throw new DomainError(
            "forbidden",
            `the tenant has ${tests} load tests; it may have ${policy.quotas.maxLoadTests} (maxLoadTests)`,
            "maxLoadTests",
          );
      }
    } catch (err) {
      if (err instanceof DomainError) return refused(command, err);
      throw err;
    }
    return this.decide(this.loadTests, loadTestDecider, command);
  }

  /**
   * A run of a load test: the test's defaults, the run's overrides and its workload made one
   * explicit plan, then `run.create`. A redelivered run.start is answered from the run as it is,
   * whatever became of the test since. The test is read in its own lane, so never while one of
   * its commands is being decided (a read then could cache the test as it was before).
   */
  private async startRun(command: CommandFor<"run.start">): Promise<CommandOutcome> {
    const { loadTestId, overrides, placement, workload, env } = command.data;
    const run = await this.runs.load(command.tenantId, command.aggregate);
    if (run.causations.has(command.id)) return done(command, run.version, run.seq, []);
    try {
      const test = await this.other(this.loadTests, command.tenantId, { type: "load-test", id: loadTestId });
      if (test.state.status !== "active") throw new DomainError("not_found", "load test not found");
      const { parameters, target } = compileRun(test.state.spec, { ...overrides, ...(workload ? { workload } : {}), env });
      // The tenant's policy as it is now: an allow-list narrowed since the test was written holds. Checked on
      // the run's target, its env placeholders filled: what its workers will send to.
      const policy = await this.policyOf(command.tenantId);
      assertTargets(target, policy);
      const over = runQuotaViolation(runDemand(runPlan(target, parameters), parameters.durationSec), policy.quotas);
      if (over) throw new DomainError("forbidden", `${over.message} (${over.limit})`, over.field);
      const admission = runAdmission(this.tenantRuns(command.tenantId), policy.quotas);
      if ("refused" in admission) throw new DomainError("forbidden", `${admission.refused.message} (${admission.refused.limit})`, "runs");
      const queue =
        "queue" in admission
          ? { reason: admission.queue, expiresAt: new Date(Date.parse(command.time) + policy.quotas.maxQueueWaitSec * 1000).toISOString() }
          : undefined;
      const secrets = await this.sealedSecrets(command.tenantId, runSecrets(test.state.spec, target));
      const create: CommandFor<"run.create"> = {
        ...command,
        type: "run.create",
        data: {
          ...parameters,
          loadTestId,
          target,
          ...(placement ? { placement } : {}),
          targetPolicy: policy.targets,
          ...(test.state.baselineRunId ? { baselineRunId: test.state.baselineRunId } : {}),
          ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
          ...(env ? { env } : {}),
          ...runScopeOf(command.data, test.state.spec),
          ...(queue ? { queue } : {}),
        },
      };
      return await this.decide(this.runs, runDecider, create);
    } catch (err) {
      if (err instanceof DomainError) return refused(command, err);
      throw err;
    }
  }

  /**
   * A schedule is written only for a test that exists, with overrides its workload takes, within
   * the tenant's allow-list and quotas: what a run's start checks, but how many run at once (each
   * fire's start checks it all again). The test is read in its own lane, as startRun does.
   */
  private async writeSchedule(command: CommandFor<"schedule.create" | "schedule.update">): Promise<CommandOutcome> {
    try {
      const { loadTestId, overrides } = await this.scheduleAsWritten(command);
      const test = await this.other(this.loadTests, command.tenantId, { type: "load-test", id: loadTestId });
      if (test.state.status !== "active")
        throw command.type === "schedule.create"
          ? new DomainError("not_found", "load test not found")
          : new DomainError("conflict", `the schedule's load test ${loadTestId} was deleted`, "loadTestId");
      const refusal = scheduleRefusal(test.state.spec, overrides, await this.policyOf(command.tenantId));
      if (refusal) throw refusal;
    } catch (err) {
      if (err instanceof DomainError) return refused(command, err);
      throw err;
    }
    return this.decide(this.schedules, scheduleDecider, command);
  }

  /** The test a schedule write is of, and the overrides it leaves the schedule with. */
  private async scheduleAsWritten(command: CommandFor<"schedule.create" | "schedule.update">) {
    if (command.type === "schedule.create") return command.data;
    const schedule = (await this.schedules.load(command.tenantId, command.aggregate)).state; // in its own lane already
    if (schedule.status !== "active") throw new DomainError("not_found", "schedule not found");
    return { loadTestId: schedule.definition.loadTestId, overrides: command.data.changes.overrides ?? schedule.definition.overrides };
  }

  /** A run scaled no further than its tenant may go: the same limits as a run started that size. */
  private async scaleRun(command: CommandFor<"run.scale">): Promise<CommandOutcome> {
    const { quotas } = await this.policyOf(command.tenantId);
    const { vus, rate } = command.data;
    if (vus !== undefined && vus > quotas.maxVUs)
      return refused(command, new DomainError("forbidden", `${vus} VUs asked; the tenant may use ${quotas.maxVUs} (maxVUs)`, "vus"));
    if (rate !== undefined && rate > quotas.maxArrivalRate)
      return refused(
        command,
        new DomainError("forbidden", `${rate} iterations/s asked; the tenant may start ${quotas.maxArrivalRate} (maxArrivalRate)`, "rate"),
      );
    return this.decide(this.runs, runDecider, command);
  }

  /**
   * A baseline is a completed run of the same test (of the same tenant: the run is looked up in
   * it). The test must exist (404); a run that cannot be its baseline conflicts with the state of
   * the runs (409 naming runId): none of that id, another test's, or not completed.
   */
  private async setBaseline(command: CommandFor<"load-test.set-baseline">): Promise<CommandOutcome> {
    const test = await this.loadTests.load(command.tenantId, command.aggregate); // in its own lane already
    if (test.state.status !== "active") return refused(command, new DomainError("not_found", "load test not found"));
    const { runId } = command.data;
    const run = await this.other(this.runs, command.tenantId, { type: "run", id: runId });
    const why =
      run.state.status === "None"
        ? `there is no run ${runId}`
        : run.state.loadTestId !== command.aggregate.id
          ? `run ${runId} is not a run of this load test`
          : run.state.status !== "Completed"
            ? `run ${runId} is ${run.state.status}: only a completed run can be a baseline`
            : null;
    if (why) return refused(command, new DomainError("conflict", why, "runId"));
    return this.decide(this.loadTests, loadTestDecider, command);
  }

  /** The sealed values of the secrets a test names, as they are now; a secret not set refuses the run, naming it. */
  private async sealedSecrets(tenantId: string, names: readonly string[]): Promise<Record<string, string>> {
    const sealed: Record<string, string> = {};
    for (const name of names) {
      const secret = await this.other(this.secrets, tenantId, { type: "secret", id: name });
      if (secret.state.status !== "set")
        throw new DomainError("invalid", `the test uses secret ${name}, which is not set`, `secrets.${name}`);
      sealed[name] = secret.state.sealed;
    }
    return sealed;
  }

  /**
   * The decision's span (traced): child of the command's consumption, or of the context the
   * command carries (the supervisor's follow-ups carry none: theirs is the active one); its
   * events carry it, so their consumers continue the trace.
   */
  private decide<S, C extends CommandType>(
    cache: AggregateCache<S>,
    decider: Decider<S, C>,
    command: CommandEnvelope,
    links?: () => Link[],
  ): Promise<CommandOutcome> {
    return withSpan(`decide ${command.type}`, envelopeAttributes(command, "command"), () => this.decideNow(cache, decider, command), {
      parent: () => activeOrCarried(command),
      ...(links ? { links } : {}),
    });
  }

  private async decideNow<S, C extends CommandType>(
    cache: AggregateCache<S>,
    decider: Decider<S, C>,
    command: CommandEnvelope,
  ): Promise<CommandOutcome> {
    if (!decides(decider, command))
      return refused(command, new DomainError("invalid", `${command.type} does not apply to a ${command.aggregate.type}`));
    for (let attempt = 1; ; attempt++) {
      const aggregate = await cache.load(command.tenantId, command.aggregate);
      if (aggregate.causations.has(command.id)) return done(command, aggregate.version, aggregate.seq, []);
      let events: EventEnvelope[];
      const traced = currentTraceContext();
      try {
        events = eventsFromCommand(
          { ...command, correlationId: correlationFor(aggregate, command) },
          decider.decide(aggregate.state, command),
          traced.traceparent,
        );
      } catch (err) {
        if (err instanceof DomainError) return refused(command, err);
        throw err;
      }
      if (events.length === 0) return done(command, aggregate.version, aggregate.seq, []);
      try {
        const { seq, seqs } = await this.store.append(command.tenantId, command.aggregate, events, {
          expectedSeq: aggregate.seq,
          ...traced,
        });
        // At debug: what the chaos suite checks the stream against ("no acknowledged event is missing").
        this.log.debug(
          { tenantId: command.tenantId, aggregate: command.aggregate, types: events.map((e) => e.type), seqs },
          "events appended",
        );
        cache.applyAppended(
          aggregate,
          events.map((event, i) => ({ event, seq: seqs[i] ?? seq })),
        );
        this.onEvents(events, seqs);
        return done(command, aggregate.version, seq, seqs);
      } catch (err) {
        if (!(err instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw err;
        this.log.debug({ aggregate: command.aggregate, attempt }, "concurrent append, reloading");
        cache.forget(command.tenantId, command.aggregate);
      }
    }
  }
}

/**
 * The secrets a run's target uses: those its test names. An env value is filled in as text, so it
 * could add a `{{secrets.NAME}}`: which secrets a test sends, and where, is its author's to say.
 */
function runSecrets(spec: LoadTestSpec, target: RunTarget): string[] {
  const named = secretReferences(spec);
  const added = secretReferences(target).find((name) => !named.includes(name));
  if (added !== undefined)
    throw new DomainError("invalid", `the run's env adds {{secrets.${added}}}: only the test may name the secrets it uses`, "env");
  return named;
}

function assertTargets(spec: TargetedSpec, policy: PlatformDefaults, deferEnv = false): void {
  const refusal = specTargetRefusal(spec, policy.targets, deferEnv);
  if (refusal) throw new DomainError("forbidden", refusal.message, refusal.field);
}

const done = (command: CommandEnvelope, version: number, seq: number, seqs: number[]): CommandOutcome => ({
  ok: true,
  commandId: command.id,
  aggregateId: command.aggregate.id,
  version,
  seq,
  seqs,
});

const refused = (command: CommandEnvelope, err: DomainError): CommandOutcome => ({
  ok: false,
  commandId: command.id,
  aggregateId: command.aggregate.id,
  error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) },
});

/**
 * The answer to a command that cannot be read (parseCommand refused it), when it names itself
 * well enough to be answered: whoever sent it waits on its outcome and should hear `invalid`
 * now, not time out into a 202 for a command that is then dropped. Null when its id is not one
 * (the outcome's subject is made of it).
 */
export function unreadableOutcome(raw: unknown, err: unknown): CommandOutcome | null {
  if (raw === null || typeof raw !== "object") return null;
  const { id, aggregate } = raw as { id?: unknown; aggregate?: { id?: unknown } | null };
  if (typeof id !== "string" || !ID_PATTERN.test(id)) return null;
  const field = err instanceof SchemaError ? err.field : undefined;
  return {
    ok: false,
    commandId: id,
    aggregateId: typeof aggregate?.id === "string" ? aggregate.id : "",
    error: {
      code: "invalid",
      message: `unreadable command: ${err instanceof Error ? err.message : String(err)}`,
      ...(field ? { field } : {}),
    },
  };
}
