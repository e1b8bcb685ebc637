// `loadline events tail`: the messages appended to a stream, one record line each, as they come.
import type { Writable } from "node:stream";
import { type Namespace, PULL_EXPIRES_MS } from "@loadline/nats";
import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { relativeSubject, serializeRecord, tailTarget } from "../../events-file.ts";
import { type EventsCliOptions, EventsCommandError, toStderr, type Warn, writeLine } from "./shared.ts";

export type TailOptions = {
  /** Relative to the namespace (`evt.>`, `met.>`, `evt.default.run.*`); see tailTarget. */
  subject?: string;
  fromStart?: boolean;
  /** Stop after this many lines. */
  limit?: number;
  signal?: AbortSignal;
  /** Called once the start sequence is fixed: whatever is published from then on is printed. */
  onReady?: (info: { stream: string; filter: string; startSeq: number }) => void;
};

/**
 * Prints each message on the stream as a record line, until the limit or the signal. An
 * ordered consumer starting at the stream's next sequence (not DeliverPolicy.New: an
 * ordered consumer that resets before its first message would restart from sequence 1).
 */
export async function tailEvents(
  nc: NatsConnection,
  ns: Namespace,
  opts: TailOptions,
  out: Writable,
  warn: Warn = toStderr,
): Promise<number> {
  let target: ReturnType<typeof tailTarget>;
  try {
    target = tailTarget(ns, opts.subject);
  } catch (e) {
    throw new EventsCommandError(2, (e as Error).message);
  }
  const stream = target.stream === "events" ? ns.streams.events : ns.streams.metrics;
  const info = await (await jetstreamManager(nc)).streams.info(stream).catch(() => null);
  if (!info) throw new EventsCommandError(1, `no stream ${stream}: is LL_NAMESPACE (${ns.prefix}) right?`);
  const startSeq = opts.fromStart ? 1 : info.state.last_seq + 1;
  const consumer = await jetstream(nc).consumers.get(stream, {
    filter_subjects: target.filter, // one string: a list needs server 2.10
    ...(opts.fromStart ? { deliver_policy: DeliverPolicy.All } : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq }),
  });
  if (opts.signal?.aborted) return 0;
  const messages = await consumer.consume({ max_messages: 256, expires: PULL_EXPIRES_MS });
  const stop = () => void messages.close();
  opts.signal?.addEventListener("abort", stop, { once: true });
  opts.onReady?.({ stream, filter: target.filter, startSeq });
  let printed = 0;
  try {
    for await (const m of messages) {
      let event: unknown;
      try {
        event = m.json();
      } catch {
        warn(`seq ${m.seq} on ${m.subject}: not JSON, not printed`);
        continue;
      }
      await writeLine(out, serializeRecord({ stream: target.stream, subject: relativeSubject(ns, m.subject), seq: m.seq, event }));
      if (opts.limit !== undefined && ++printed >= opts.limit) break;
    }
  } finally {
    opts.signal?.removeEventListener("abort", stop);
    await messages.close();
  }
  return printed;
}

export async function tailCommand(nc: NatsConnection, ns: Namespace, opts: EventsCliOptions): Promise<number> {
  const limit = opts.limit === undefined ? undefined : Number(opts.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw new EventsCommandError(2, `--limit ${opts.limit}: a positive integer`);
  const stopping = new AbortController();
  const stop = () => stopping.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  process.stdout.once("error", stop); // the reader went away (`| head`)
  try {
    const onReady: TailOptions["onReady"] = (r) => toStderr(`following ${r.filter} on ${r.stream} from seq ${r.startSeq}`);
    await tailEvents(
      nc,
      ns,
      { subject: opts.subject, fromStart: opts["from-start"], limit, signal: stopping.signal, onReady },
      process.stdout,
    );
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
  return 0;
}
