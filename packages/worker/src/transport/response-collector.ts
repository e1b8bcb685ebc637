import type { Dispatcher } from "undici";
import { type IncomingResponse, TransportFailure } from "../scenario/index.ts";
import { failureKindOf } from "./failure-kind.ts";
import type { Connection, ConnectionHandler, RawHeaders } from "./http1-connection.ts";
import { UndiciResponse } from "./undici-response.ts";

/** Whom a connection goes back to once a request is done with it, and the HTTP protocol its connections speak. */
export interface ConnectionOwner {
  release(connection: Connection): void;
  readonly protocol: string;
}

type AbortFn = (err?: Error) => void;

/**
 * One request in flight, as undici's (non-wrapped) handler object, which Http1Connection calls
 * the same way: no stream, no body promise, headers parsed only if read.
 */
export class ResponseCollector implements ConnectionHandler {
  private abortRequest: AbortFn | null = null;
  private status = 0;
  private rawHeaders: RawHeaders | null = null;
  private first: Buffer | null = null;
  private rest: Buffer[] | null = null;
  private bytes = 0;
  private settled = false;
  private cancelled: TransportFailure | null = null;
  /** A timer of its own only for a short timeout: the transport's sweep checks the others. */
  private shortTimer: NodeJS.Timeout | null = null;

  /** The connection it was sent on (and whose it is), handed back once it is done with the request. */
  client: Connection | null = null;
  owner: ConnectionOwner | null = null;
  /** Links of the transport's list of requests in flight. */
  prev: ResponseCollector | null = null;
  next: ResponseCollector | null = null;

  constructor(
    private readonly resolve: (res: IncomingResponse) => void,
    private readonly reject: (err: TransportFailure) => void,
    /** performance.now() by which the whole request must be over. */
    readonly deadline: number,
    private readonly inFlight: InFlightList,
    readonly signal: AbortSignal,
    readonly options: Dispatcher.DispatchOptions,
  ) {}

  /** Bounds the whole request by `timeoutMs` precisely, for timeouts below undici's timer resolution. */
  armShortTimeout(timeoutMs: number): void {
    this.shortTimer = setTimeout(() => this.cancel(new TransportFailure("timeout", "request timed out")), timeoutMs);
  }

  onConnect(abort: AbortFn): void {
    if (this.cancelled) abort(this.cancelled);
    else this.abortRequest = abort;
  }

  onHeaders(status: number, rawHeaders: RawHeaders, _resume: () => void): boolean {
    // 1xx interim responses come first and are no answer.
    if (status < 200) return true;
    this.status = status;
    this.rawHeaders = rawHeaders;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    if (this.first === null) this.first = chunk;
    else (this.rest ??= [this.first]).push(chunk);
    // undici times the body between chunks; this bounds the whole request by its timeout too.
    if (this.rest !== null && performance.now() > this.deadline) this.cancel(new TransportFailure("timeout", "request timed out"));
    return true;
  }

  onComplete(): void {
    const protocol = this.owner?.protocol ?? "http/1.1";
    this.release();
    if (this.settled) return;
    this.settle();
    const body = this.rest !== null ? Buffer.concat(this.rest).toString("utf8") : this.first !== null ? this.first.toString("utf8") : "";
    this.resolve(new UndiciResponse(this.status, this.rawHeaders, body, this.bytes, protocol));
  }

  onError(err: Error): void {
    const { owner, client } = this;
    this.owner = this.client = null;
    // On the next microtask: undici fails a failed connection's queued requests in a loop (asserting
    // the queue empty after it) that a request handed the connection from here would break.
    if (owner && client) queueMicrotask(() => owner.release(client));
    if (this.settled) return;
    this.settle();
    this.reject(err instanceof TransportFailure ? err : new TransportFailure(failureKindOf(err, this.abortRequest !== null), err.message));
  }

  get isSettled(): boolean {
    return this.settled;
  }

  private settle(): void {
    this.settled = true;
    this.inFlight.remove(this);
    if (this.shortTimer !== null) clearTimeout(this.shortTimer);
  }

  /** undici is done with the request (completed, failed, or aborted on its connection). */
  private release(): void {
    const { owner, client } = this;
    this.owner = this.client = null;
    if (owner && client) owner.release(client);
  }

  /**
   * Gives up on the request at once, as `cancel` does, but leaves its socket to `abortOnSocket`:
   * a stop gives up on thousands together, and closing their sockets (about 0.1 ms each) must
   * not hold up the iterations' end. True when a socket is left to abort.
   */
  interrupt(reason: TransportFailure): boolean {
    if (this.settled) return false;
    this.cancelled = reason;
    this.settle();
    this.reject(reason);
    // Not on a socket yet: undici aborts it on connect (onConnect sees `cancelled`); queued here, it is skipped.
    return this.abortRequest !== null;
  }

  /** Aborts an interrupted request on its socket (which closes it), handing the connection back. */
  abortOnSocket(): void {
    if (this.cancelled && this.abortRequest) this.abortRequest(this.cancelled);
  }

  /** Gives up on the request: it fails at once, and its socket is closed if it was on one. */
  cancel(reason: TransportFailure): void {
    if (this.settled) return;
    this.cancelled = reason;
    if (this.abortRequest) this.abortRequest(reason);
    else {
      // Not on a socket yet: fail it now. Queued here, it is skipped; queued in undici, undici aborts it on
      // connect and calls onError, which hands the connection back.
      this.settle();
      this.reject(reason);
    }
  }
}

/**
 * The requests in flight, linked through the requests themselves. Not a Set: a long-lived Set
 * taking and dropping tens of thousands of short-lived entries a second made every young-generation
 * GC scan its table, about six times the GC time of the whole request path.
 */
export class InFlightList {
  private head: ResponseCollector | null = null;
  size = 0;

  add(c: ResponseCollector): void {
    c.next = this.head;
    if (this.head) this.head.prev = c;
    this.head = c;
    this.size++;
  }

  remove(c: ResponseCollector): void {
    if (c.prev) c.prev.next = c.next;
    else if (this.head === c) this.head = c.next;
    else return; // not in the list
    if (c.next) c.next.prev = c.prev;
    c.prev = c.next = null;
    this.size--;
  }

  /** Those past their deadline at `now`, as a copy: cancelling removes from the list. */
  pastDeadline(now: number): ResponseCollector[] {
    const out: ResponseCollector[] = [];
    for (let c = this.head; c; c = c.next) if (c.deadline < now) out.push(c);
    return out;
  }

  /** A copy: cancelling removes from the list. */
  toArray(): ResponseCollector[] {
    const out: ResponseCollector[] = [];
    for (let c = this.head; c; c = c.next) out.push(c);
    return out;
  }
}
