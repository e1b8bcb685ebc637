// The SSE clients of the live section: readers that take every message of a run's stream and note
// when each `second` arrived, and stalled clients that open the stream and never read it.
import { createHash } from "node:crypto";
import { readSse } from "loadline/testing";
import { Agent, request } from "undici";

/** Epoch ms, fractional: the checkpoint thread stamps with the same clock. */
export const nowMs = () => performance.timeOrigin + performance.now();

/** What one reading client saw of the run's stream. */
export type ClientLog = {
  /** When the response's headers came (the stream was open), epoch ms; NaN when it never opened. */
  openedAt: number;
  /** When its first message came (the server had read the run for it), epoch ms. */
  firstEventAt: number;
  /** Each `second` message: the metrics sequence of its id, and when it was taken off the stream. */
  seqs: number[];
  receivedAt: number[];
  /** Each second's latest data, hashed (sha1 of the JSON text): what the client holds at the end. */
  held: Map<number, string>;
  runMessages: number;
  /** Characters of the `second` messages' data. */
  bytes: number;
  /** Ids seen twice (a message repeated). */
  repeats: number;
  gotEnd: boolean;
  error?: string;
};

/** An undici agent that opens as many connections to the API as it is asked for (one per stream). */
export const streamAgent = () =>
  new Agent({ connections: null, pipelining: 1, headersTimeout: 60_000, bodyTimeout: 0, connect: { timeout: 30_000 } });

const hash = (s: string) => createHash("sha1").update(s).digest("base64");

/** The metrics sequence in a run stream's id `<events>.<metrics>[.<second>]`. */
export function metricsSeqOf(id: string | undefined): number {
  const parts = id?.split(".") ?? [];
  return parts.length >= 2 ? Number(parts[1]) : Number.NaN;
}

/** Reads a run's stream to its `end` (or until `signal`), logging each message. */
export async function readingClient(
  url: string,
  apiKey: string,
  agent: Agent,
  signal: AbortSignal,
  onOpen: () => void,
): Promise<ClientLog> {
  const log: ClientLog = {
    openedAt: Number.NaN,
    firstEventAt: Number.NaN,
    seqs: [],
    receivedAt: [],
    held: new Map(),
    runMessages: 0,
    bytes: 0,
    repeats: 0,
    gotEnd: false,
  };
  const ids = new Set<string>();
  try {
    const res = await request(url, { dispatcher: agent, headers: { authorization: `Bearer ${apiKey}` }, signal });
    log.openedAt = nowMs();
    onOpen();
    if (res.statusCode !== 200) {
      log.error = `HTTP ${res.statusCode}: ${(await res.body.text()).slice(0, 200)}`;
      return log;
    }
    for await (const e of readSse(res.body as unknown as ReadableStream<Uint8Array>)) {
      const at = nowMs();
      if (Number.isNaN(log.firstEventAt)) log.firstEventAt = at;
      if (e.id !== undefined) {
        if (ids.has(e.id)) log.repeats++;
        ids.add(e.id);
      }
      if (e.event === "second") {
        log.seqs.push(metricsSeqOf(e.id));
        log.receivedAt.push(at);
        log.bytes += e.data.length;
        // `"second":N` leads the JSON (LiveSecond's first key): no need to parse the whole message here.
        const second = Number(/^\{"second":(\d+)/.exec(e.data)?.[1] ?? (JSON.parse(e.data) as { second: number }).second);
        log.held.set(second, hash(e.data));
      } else if (e.event === "run") log.runMessages++;
      else if (e.event === "end") {
        log.gotEnd = true;
        break;
      }
    }
  } catch (err) {
    if (!signal.aborted) log.error = (err as Error).message;
    else log.error ??= "aborted by the harness (no end in time)";
  }
  if (Number.isNaN(log.openedAt)) onOpen();
  return log;
}

/** A client that opens the stream and never reads it: undici stops reading its socket once its buffer is full. */
export type StalledClient = { opened: boolean; endedByServer: boolean; error?: string; close(): void };

export async function stalledClient(url: string, apiKey: string, agent: Agent): Promise<StalledClient> {
  const c: StalledClient = { opened: false, endedByServer: false, close: () => undefined };
  try {
    const res = await request(url, { dispatcher: agent, headers: { authorization: `Bearer ${apiKey}` } });
    c.opened = res.statusCode === 200;
    if (!c.opened) c.error = `HTTP ${res.statusCode}`;
    let closing = false;
    // 'close' and 'error' listeners do not make the body flow: it stays unread.
    res.body.on("error", (err) => {
      if (!closing) c.error = err.message;
    });
    res.body.on("close", () => {
      if (!closing) c.endedByServer = true;
    });
    c.close = () => {
      closing = true;
      res.body.destroy();
    };
  } catch (err) {
    c.error = (err as Error).message;
  }
  return c;
}
