import { isTerminal, type RunView, sleep } from "@loadline/core";
import type { Logger } from "@loadline/service";
import { formatRunCursor, furthest, isBehind, RUN_START, type RunCursor, secondIsAfter } from "./live-cursor.ts";
import type { LiveQueries, Positions } from "./live-queries.ts";

/** What the hub reads: the read model's changes after a cursor (LiveQueries). */
export type LiveSource = Pick<LiveQueries, "positions" | "runAfter" | "runsAfter" | "secondsAfter">;

/** One SSE message: `event`, `id` (the cursor a client resumes from; none on `end`, after which there is nothing to resume) and its JSON `data`. */
export type LiveMessage = { event: string; id?: string; data: string };

export type LiveHubOptions = {
  /** How often the checkpoints are looked at while someone listens (ms). */
  pollMs?: number;
  /** Messages a feed keeps for its clients; a client further behind catches up from the read model. */
  ringSize?: number;
  /** The metrics stream's last sequence: a finished run's stream ends once the projection has passed it. */
  metricsHead: () => Promise<number>;
  log: Logger;
};

/** What a feed knows of its run: whether it ended, and was judged. */
type RunState = Pick<RunView, "status" | "verdict">;

/** Seconds read per query: a long run's history comes in pages of this many. */
const PAGE = 500;
/** A run judged by thresholds ends its stream with its verdict, or this long after it finished without one. */
const VERDICT_GRACE_MS = 10_000;

/** A message of a run feed, with what it covers: a `run` state at an event sequence, a second at a metrics sequence. */
type RunItem =
  | { kind: "run"; events: number; message: LiveMessage }
  | { kind: "second"; metrics: number; second: number; message: LiveMessage; totals: LiveMessage }
  | { kind: "end"; message: LiveMessage };

/** What a feed holds for its clients, newest last: bounded, so no client's pace holds memory. */
class Ring<T> {
  items: T[] = [];
  /** Items dropped from the front: a client that had not seen them must catch up elsewhere. */
  dropped = 0;
  private wake: (() => void)[] = [];

  constructor(private readonly size: number) {}

  push(items: readonly T[]): void {
    if (items.length === 0) return;
    this.items.push(...items);
    const over = this.items.length - this.size;
    if (over > 0) {
      this.items.splice(0, over);
      this.dropped += over;
    }
    for (const w of this.wake.splice(0)) w();
  }

  /** Resolves at the next push, or when `signal` aborts. */
  next(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.wake.push(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  wakeAll(): void {
    for (const w of this.wake.splice(0)) w();
  }
}

/** How a client follows a feed of items `T` with a cursor `C` (see follow). */
type Following<T, C> = {
  /** Whether `at` is from before the feed began: the ring does not hold what follows it. */
  before(at: C): boolean;
  /** The read model's messages after `at`; returns the cursor after them. */
  missed(at: C): AsyncGenerator<LiveMessage, C>;
  /** What a ring item says to a client at `at`: the cursor after it, its message unless seen already, `end` for the last. */
  take(item: T, at: C): { at: C; message?: LiveMessage; end?: true };
};

/**
 * A client's messages from `at` until `stop`: what it missed (behind the ring, or from before the
 * feed began) from the read model, then the ring item by item, then the next push. Item by item:
 * the ring may move on while the client writes, and it then catches up from the read model again.
 */
async function* follow<T, C>(ring: Ring<T>, at: C, stop: AbortSignal, f: Following<T, C>): AsyncGenerator<LiveMessage> {
  let next = -1; // the ring item (numbered from the first ever pushed) to look at next
  while (!stop.aborted) {
    if (next < ring.dropped || f.before(at)) {
      // Whatever the ring holds now is older than what the read model is about to say.
      const mark = ring.dropped + ring.items.length;
      const missed = f.missed(at);
      for (let step = await missed.next(); ; step = await missed.next()) {
        if (step.done) {
          at = step.value;
          break;
        }
        yield step.value;
      }
      next = mark;
    }
    while (next >= ring.dropped && next - ring.dropped < ring.items.length) {
      const taken = f.take(ring.items[next - ring.dropped]!, at);
      next++;
      at = taken.at;
      if (taken.message) yield taken.message;
      if (taken.end) return;
    }
    if (next >= ring.dropped) await ring.next(stop);
  }
}

/**
 * One run's changes as the projections commit them, read once for every client of the run:
 * its state when its events move, its seconds when its metrics move, then `end`.
 */
class RunFeed {
  readonly ring: Ring<RunItem>;
  clients = 0;
  /** What the feed has read up to; clients older than `start` catch up from the read model first. */
  at: RunCursor;
  readonly start: RunCursor;
  ended = false;
  private finishedAt: number | null = null;
  private metricsHead: number | null = null;
  private lastRun: RunState | null = null;

  constructor(
    readonly tenantId: string,
    readonly runId: string,
    positions: Positions,
    ringSize: number,
    /** The run as it stands when the feed begins (a finished run's feed ends at once). */
    current: RunState | null,
  ) {
    this.ring = new Ring(ringSize);
    this.at = { events: positions.events, metrics: positions.metrics, second: null };
    this.start = this.at;
    this.lastRun = current && { status: current.status, verdict: current.verdict };
  }

  async poll(queries: LiveSource, positions: Positions, head: () => Promise<number>): Promise<void> {
    if (this.ended) return;
    const { items, next, run } = await drain(runChanges(queries, this.tenantId, this.runId, this.at, positions));
    this.at = next;
    if (run) this.lastRun = run;
    if (this.lastRun && isTerminal(this.lastRun.status) && !this.ended) {
      this.finishedAt ??= Date.now();
      this.metricsHead ??= await head();
      const judged = this.lastRun.verdict !== "pending" || Date.now() - this.finishedAt > VERDICT_GRACE_MS;
      // Every window was published before the run finished: once the projection has passed the
      // stream's head as it was then, and the changes up to it are read, nothing more will come.
      if (judged && positions.metrics >= this.metricsHead && this.at.metrics >= this.metricsHead) {
        this.ended = true;
        items.push({
          kind: "end",
          message: { event: "end", data: JSON.stringify({ status: this.lastRun.status }) },
        });
      }
    }
    this.ring.push(items);
  }
}

/**
 * Everything of a run changed after `from`, up to at least `positions` (read before, so all
 * below them is committed), page by page: the items, then (returned) the cursor that covers
 * them and the run's state when it changed. Without `endpoints` the seconds are read without
 * their per-endpoint rows (a twentieth of the rows of a run of 20 names).
 */
async function* runChanges(
  queries: LiveSource,
  tenantId: string,
  runId: string,
  from: RunCursor,
  positions: Positions,
  endpoints = true,
): AsyncGenerator<RunItem, { next: RunCursor; run: RunState | null }> {
  let next = from;
  let run: RunState | null = null;
  if (positions.events > from.events) {
    const changed = await queries.runAfter(tenantId, runId, from.events, positions);
    next = { ...next, events: Math.max(positions.events, changed?.seq ?? 0) };
    if (changed) {
      run = { status: changed.view.status, verdict: changed.view.verdict };
      yield { kind: "run", events: changed.seq, message: { event: "run", id: formatRunCursor(next), data: JSON.stringify(changed.view) } };
    }
  }
  if (positions.metrics > from.metrics || (positions.metrics === from.metrics && from.second !== null)) {
    for (;;) {
      const seconds = await queries.secondsAfter(tenantId, runId, next, PAGE, endpoints, positions);
      for (const s of seconds) {
        next = { ...next, metrics: s.seq, second: s.value.second };
        const id = formatRunCursor(next);
        // Without the endpoints: what a dashboard of a long run with many names reads its history as.
        const totals = { event: "second", id, data: JSON.stringify({ ...s.value, endpoints: undefined }) };
        const message = endpoints ? { event: "second", id, data: JSON.stringify(s.value) } : totals;
        yield { kind: "second", metrics: s.seq, second: s.value.second, message, totals };
      }
      if (seconds.length < PAGE) break;
    }
    // All below the checkpoint read was visible to the queries: the cursor covers it whole.
    next = furthest(next, { events: next.events, metrics: positions.metrics, second: null });
  }
  return { next, run };
}

/** The items of `changes` and what it returns. */
async function drain<T, R>(changes: AsyncGenerator<T, R>): Promise<{ items: T[] } & R> {
  const items: T[] = [];
  for (;;) {
    const step = await changes.next();
    if (step.done) return { items, ...step.value };
    items.push(step.value);
  }
}

/** A tenant's run list as it changes: each run's state when its events move. */
class TenantFeed {
  readonly ring: Ring<{ seq: number; message: LiveMessage }>;
  clients = 0;
  at: number;
  readonly start: number;

  constructor(
    readonly tenantId: string,
    positions: Positions,
    ringSize: number,
  ) {
    this.ring = new Ring(ringSize);
    this.at = positions.events;
    this.start = this.at;
  }

  async poll(queries: LiveSource, positions: Positions): Promise<void> {
    if (positions.events <= this.at) return;
    const { items, next } = await readTenantChanges(queries, this.tenantId, this.at, positions);
    this.at = next;
    this.ring.push(items);
  }
}

async function readTenantChanges(
  queries: LiveSource,
  tenantId: string,
  from: number,
  positions: Positions,
): Promise<{ items: { seq: number; message: LiveMessage }[]; next: number }> {
  const items: { seq: number; message: LiveMessage }[] = [];
  let next = from;
  for (;;) {
    const runs = await queries.runsAfter(tenantId, next, PAGE, positions);
    for (const r of runs) {
      next = r.seq;
      items.push({ seq: r.seq, message: { event: "run", id: String(r.seq), data: JSON.stringify(r.view) } });
    }
    if (runs.length < PAGE) break;
  }
  return { items, next: Math.max(next, positions.events) };
}

/**
 * The live push of one API process: one feed per run (and per tenant) that someone listens to,
 * read from the read model once per change for all its clients. Clients follow a feed by
 * cursor, each at its own pace: a feed keeps a bounded ring of messages, and a client that falls
 * behind it (or starts before it) reads what it missed from the read model, by the same cursor.
 * The projector is never slowed: the hub only reads Postgres, and only when a checkpoint moved.
 */
export class LiveHub {
  private readonly runFeeds = new Map<string, RunFeed>();
  private readonly tenantFeeds = new Map<string, TenantFeed>();
  private readonly closed = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly pollMs: number;
  private readonly ringSize: number;

  constructor(
    private readonly queries: LiveSource,
    private readonly opts: LiveHubOptions,
  ) {
    this.pollMs = opts.pollMs ?? 250;
    this.ringSize = opts.ringSize ?? 300;
  }

  /** Clients listening now, for /metrics. */
  clientCount(): number {
    let n = 0;
    for (const f of this.runFeeds.values()) n += f.clients;
    for (const f of this.tenantFeeds.values()) n += f.clients;
    return n;
  }

  /**
   * A run's messages after `from` (its whole history so far without one), live, until `end` or
   * `signal`; its seconds without their endpoints when `endpoints` is false.
   */
  async *followRun(
    tenantId: string,
    runId: string,
    from: RunCursor | null,
    signal: AbortSignal,
    endpoints = true,
  ): AsyncGenerator<LiveMessage> {
    const messageOf = (item: RunItem) => (item.kind === "second" && !endpoints ? item.totals : item.message);
    const queries = this.queries;
    const feed = await this.runFeed(tenantId, runId);
    feed.clients++;
    try {
      yield* follow(feed.ring, from ?? RUN_START, AbortSignal.any([signal, this.closed.signal]), {
        before: (at) => isBehind(at, feed.start),
        async *missed(at) {
          const changes = runChanges(queries, tenantId, runId, at, await queries.positions(), endpoints);
          for (let step = await changes.next(); ; step = await changes.next()) {
            if (step.done) return step.value.next;
            yield messageOf(step.value);
          }
        },
        take(item, at) {
          if (item.kind === "end") return { at, message: item.message, end: true };
          if (item.kind === "run") return item.events > at.events ? { at: { ...at, events: item.events }, message: item.message } : { at };
          return secondIsAfter(item.metrics, item.second, at)
            ? { at: { ...at, metrics: item.metrics, second: item.second }, message: messageOf(item) }
            : { at };
        },
      });
    } finally {
      this.release(this.runFeeds, `${tenantId}\u0000${runId}`, feed);
    }
  }

  /**
   * A tenant's run changes after `from`; without one, `ready` at the current position first (a
   * client then reads the list, and applies what follows by each run's version).
   */
  async *followTenant(tenantId: string, from: number | null, signal: AbortSignal): AsyncGenerator<LiveMessage> {
    const queries = this.queries;
    const feed = await this.tenantFeed(tenantId);
    feed.clients++;
    try {
      const at = from ?? (await queries.positions()).events;
      if (from === null) yield { event: "ready", id: String(at), data: "{}" };
      yield* follow(feed.ring, at, AbortSignal.any([signal, this.closed.signal]), {
        before: (at) => at < feed.start,
        async *missed(at) {
          const changes = await readTenantChanges(queries, tenantId, at, await queries.positions());
          for (const item of changes.items) yield item.message;
          return changes.next;
        },
        take: (item, at) => (item.seq > at ? { at: item.seq, message: item.message } : { at }),
      });
    } finally {
      this.release(this.tenantFeeds, tenantId, feed);
    }
  }

  /** Ends every stream (a graceful stop: clients resume elsewhere from their last id). */
  async close(): Promise<void> {
    this.closed.abort();
    for (const f of [...this.runFeeds.values(), ...this.tenantFeeds.values()]) f.ring.wakeAll();
    await this.loop;
  }

  private async runFeed(tenantId: string, runId: string): Promise<RunFeed> {
    const key = `${tenantId}\u0000${runId}`;
    let feed = this.runFeeds.get(key);
    if (!feed) {
      const positions = await this.queries.positions();
      // Looked up again: another client may have made it meanwhile.
      const current = await this.queries.runAfter(tenantId, runId, 0);
      feed = this.runFeeds.get(key) ?? new RunFeed(tenantId, runId, positions, this.ringSize, current?.view ?? null);
      this.runFeeds.set(key, feed);
    }
    this.start();
    return feed;
  }

  private async tenantFeed(tenantId: string): Promise<TenantFeed> {
    let feed = this.tenantFeeds.get(tenantId);
    if (!feed) {
      const positions = await this.queries.positions();
      feed = this.tenantFeeds.get(tenantId) ?? new TenantFeed(tenantId, positions, this.ringSize);
      this.tenantFeeds.set(tenantId, feed);
    }
    this.start();
    return feed;
  }

  private release<F extends { clients: number }>(feeds: Map<string, F>, key: string, feed: F): void {
    feed.clients--;
    if (feed.clients <= 0 && feeds.get(key) === feed) feeds.delete(key);
  }

  private start(): void {
    this.loop ??= this.run();
  }

  /** Looks at the checkpoints while anyone listens; reads the feeds whose stream moved. */
  private async run(): Promise<void> {
    const { log } = this.opts;
    while (!this.closed.signal.aborted) {
      if (this.runFeeds.size > 0 || this.tenantFeeds.size > 0) {
        try {
          // A feed whose streams did not move reads nothing.
          const positions = await this.queries.positions();
          await Promise.all([
            ...[...this.runFeeds.values()].map((f) => f.poll(this.queries, positions, this.opts.metricsHead)),
            ...[...this.tenantFeeds.values()].map((f) => f.poll(this.queries, positions)),
          ]);
        } catch (err) {
          // Postgres away, say: the feeds stay where they are and read on when it is back.
          log.warn({ err }, "live feeds could not read the read model");
        }
      }
      await sleep(this.pollMs, this.closed.signal).catch(() => undefined);
    }
  }
}
