import { randomUUID } from "node:crypto";
import { sleepAtLeast } from "@loadline/core";
import { SessionCookies } from "./cookies.ts";
import { failureOf, transportFailureKind } from "./failure.ts";
import type { RequestPlan } from "./request-step.ts";
import { ResponseView } from "./response-view.ts";
import type { GroupSink, ScenarioPlan } from "./scenario-plan.ts";
import type { IncomingResponse, OutgoingRequest, RequestRecord, Transport } from "./transport.ts";
import { BUILTIN_SLOT } from "./variables.ts";

type Recorder = (r: RequestRecord) => void;

/**
 * A virtual user's session: its variables (scenario variables, data row and extracted values
 * persist across its iterations) and its cookie jar. One iteration at a time.
 */
export class VuSession {
  readonly vuId: number;
  private readonly plan: ScenarioPlan;
  /** Variables by slot (see VariableTable). */
  private readonly values: string[];
  private readonly cookies = new SessionCookies();
  private begun = 0;
  private readonly onGroup: GroupSink | undefined;

  constructor(plan: ScenarioPlan, vuId: number, onGroup?: GroupSink) {
    this.plan = plan;
    this.vuId = vuId;
    this.onGroup = onGroup;
    this.values = plan.initialValues.slice();
    this.values[BUILTIN_SLOT.vu] = String(vuId);
  }

  /** How many iterations this session has begun (__iteration of the next one). */
  get iterations(): number {
    return this.begun;
  }

  /** The session's variables by name, for tests and debugging. */
  variables(): Record<string, string> {
    return this.plan.table.snapshot(this.values);
  }

  /**
   * Runs the steps once, in order. A failed check or an empty extraction is counted, never
   * thrown. Resolves false when the iteration ran to its end, true when `signal` interrupted it:
   * it stops at the next step boundary, cuts the think time short, and reports a request in
   * flight as interrupted (not as a failure: the target did nothing wrong, the stop gave up on it).
   */
  iteration(transport: Transport, signal: AbortSignal, record: Recorder): Promise<boolean> {
    // Not async: an async function returning a promise resolves two microtask turns later, each iteration.
    if (signal.aborted) return Promise.resolve(true);
    const { groups } = this.plan;
    return groups && this.onGroup
      ? this.timedIteration(transport, signal, record, groups, this.onGroup)
      : this.steps(transport, signal, record);
  }

  /**
   * An iteration with its groups timed: a pass through a group's consecutive steps is reported
   * once its last step ended (failed when a request in it failed); a pass the stop cut short is not.
   */
  private async timedIteration(
    transport: Transport,
    signal: AbortSignal,
    record: Recorder,
    groups: readonly (string | undefined)[],
    onGroup: GroupSink,
  ): Promise<boolean> {
    let open: { name: string; startedAt: number; failed: boolean } | undefined;
    const close = () => {
      if (open) onGroup(open.name, performance.now() - open.startedAt, open.failed);
      open = undefined;
    };
    const recordInGroup: Recorder = (r) => {
      if (open && r.failure !== null) open.failed = true;
      record(r);
    };
    const aborted = await this.steps(transport, signal, recordInGroup, (index) => {
      const group = groups[index];
      if (open && open.name !== group) close();
      if (group !== undefined && !open) open = { name: group, startedAt: performance.now(), failed: false };
    });
    if (!aborted) close();
    return aborted;
  }

  /** The steps once, in order; `beforeStep` hears each step's index before it runs. */
  private async steps(transport: Transport, signal: AbortSignal, record: Recorder, beforeStep?: (index: number) => void): Promise<boolean> {
    const { steps, data, dataSlots, usesIteration, random } = this.plan;
    const values = this.values;
    const index = this.begun++;
    if (usesIteration) values[BUILTIN_SLOT.iteration] = String(index);
    if (data !== null) {
      const row = data.next(this.vuId);
      const columns = data.columns;
      for (let i = 0; i < dataSlots.length; i++) values[dataSlots[i]!] = row[columns[i]!] ?? "";
    }
    let first = true;
    for (let index = 0; index < steps.length; index++) {
      const step = steps[index]!;
      if (signal.aborted) return true;
      beforeStep?.(index);
      if (step.kind === "think") {
        const ms = step.sample(random);
        if (ms > 0) await sleepAtLeast(ms, signal);
        continue;
      }
      if (step.kind !== "request") {
        const aborted = await step.run({ values, cookies: this.cookies, transport, signal, record, first });
        first = false;
        if (aborted) return true;
        continue;
      }
      const aborted = await this.request(step, transport, signal, record, first);
      first = false;
      if (aborted) return true;
    }
    // Cut short in its last think time: it did not end.
    return steps.at(-1)?.kind === "think" && signal.aborted;
  }

  /** Sends one request step and records it; true when `signal` aborted it. */
  private async request(step: RequestPlan, transport: Transport, signal: AbortSignal, record: Recorder, first: boolean): Promise<boolean> {
    const values = this.values;
    if (step.usesTimestamp) values[BUILTIN_SLOT.timestamp] = String(Date.now());
    if (step.usesUuid) values[BUILTIN_SLOT.uuid] = randomUUID();
    let req: OutgoingRequest;
    try {
      req = step.build(values, this.cookies);
    } catch {
      // A url that rendered to no http(s) URL: nothing could be connected to.
      const now = performance.now();
      record(requestRecord(step, now, now, null, "connect", 0, 0, 0, step.inspections, first));
      return false;
    }
    const bytesOut = step.bytesOut(req);
    const sentAt = performance.now();
    let res: IncomingResponse;
    try {
      res = await transport.send(req, signal);
    } catch (error) {
      const endedAt = performance.now();
      // Cut short by the stop: interrupted, nothing else counted. Otherwise no response failed every check.
      if (signal.aborted) record({ ...requestRecord(step, sentAt, endedAt, null, null, 0, 0, 0, 0, first), interrupted: true });
      else record(requestRecord(step, sentAt, endedAt, null, transportFailureKind(error), 0, bytesOut, 0, step.inspections, first));
      return signal.aborted;
    }
    const endedAt = performance.now();
    const setCookie = res.setsCookies === false ? undefined : res.headers["set-cookie"];
    if (setCookie !== undefined) {
      try {
        this.cookies.store(setCookie, req.origin + req.path);
      } catch {
        // A cookie the jar cannot take is ignored, as a bad one is: its error could carry the url, and a url a secret.
      }
    }
    const failed = step.inspections === 0 ? 0 : step.inspect(new ResponseView(res, endedAt - sentAt), values);
    const bytesIn = res.bytes ?? Buffer.byteLength(res.body);
    record(
      requestRecord(
        step,
        sentAt,
        endedAt,
        res.status,
        failureOf(null, res.status, failed),
        bytesIn,
        bytesOut,
        step.inspections - failed,
        failed,
        first,
        res.protocol,
      ),
    );
    return false;
  }
}

/** One shape for every record, whatever happened. */
function requestRecord(
  step: RequestPlan,
  sentAt: number,
  endedAt: number,
  status: number | null,
  failure: RequestRecord["failure"],
  bytesIn: number,
  bytesOut: number,
  checksPassed: number,
  checksFailed: number,
  firstOfIteration: boolean,
  protocol?: string,
): RequestRecord {
  return {
    name: step.name,
    method: step.method,
    sentAt,
    endedAt,
    status,
    failure,
    bytesIn,
    bytesOut,
    checksPassed,
    checksFailed,
    firstOfIteration,
    protocol,
  };
}
