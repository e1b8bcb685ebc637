import { HttpError, idParam, installErrorHandler, type Logger, query, tenantOf } from "@loadline/service";
import { type Context, Hono } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import { z } from "zod";
import { parseRunCursor, parseSeqCursor } from "./live-cursor.ts";
import type { LiveHub, LiveMessage } from "./live-hub.ts";
import type { LiveQueries } from "./live-queries.ts";

export type LiveRoutesDeps = { hub: LiveHub; queries: LiveQueries; log: Logger };

/** A comment line now and then keeps proxies from closing an idle stream, and finds dead clients. */
const HEARTBEAT_MS = 15_000;
/**
 * A client that takes longer than this to take one message is dropped: what it holds is the
 * socket's buffer and its cursor, never a queue; it resumes from its last id.
 */
const WRITE_TIMEOUT_MS = 10_000;
/** `endpoints=false`: seconds without their per-endpoint figures (a long run's history with many names is then ~20× smaller). */
export const runLiveQuery = z.object({
  endpoints: z
    .enum(["true", "false"], { message: "must be true or false" })
    .default("true")
    .transform((v) => v === "true"),
  lastEventId: z.string().optional(),
});

export const tenantLiveQuery = z.object({ lastEventId: z.string().optional() });

/** What an EventSource waits before it reconnects. */
const RETRY_MS = 1_000;

/** The client's Last-Event-ID (header, or `lastEventId` for clients that cannot set one), parsed; null without one. */
function lastEventId<T>(c: Context, parse: (id: string) => T | null): T | null {
  const header = c.req.header("last-event-id");
  const raw = header ?? c.req.query("lastEventId");
  if (raw === undefined || raw.trim() === "") return null;
  const cursor = parse(raw);
  // The field named is the one the client sent: the header, or the query parameter.
  const field = header !== undefined ? "Last-Event-ID" : "lastEventId";
  if (cursor === null) throw new HttpError(400, "invalid_request", `${field}: not an id this stream sent`, field);
  return cursor;
}

/** Server-Sent Events of a run (`/v1/runs/{id}/live`) and of a tenant's runs (`/v1/live`); see docs/live.md. */
export function liveRoutes({ hub, queries, log }: LiveRoutesDeps): Hono {
  const app = new Hono();
  installErrorHandler(app, log);

  app.get("/v1/runs/:id/live", async (c) => {
    const tenantId = tenantOf(c);
    const runId = idParam(c, "run");
    const from = lastEventId(c, parseRunCursor);
    const { endpoints } = query(c, runLiveQuery);
    if (!(await queries.runExists(tenantId, runId))) throw new HttpError(404, "not_found", "run not found", "id");
    return sse(c, log, (signal) => hub.followRun(tenantId, runId, from, signal, endpoints));
  });

  app.get("/v1/live", (c) => {
    const tenantId = tenantOf(c);
    query(c, tenantLiveQuery);
    const from = lastEventId(c, parseSeqCursor);
    return sse(c, log, (signal) => hub.followTenant(tenantId, from, signal));
  });

  return app;
}

const PING = Symbol("ping");

/** Streams the messages, with heartbeats, until they end, the client goes, or a write stalls. */
function sse(c: Context, log: Logger, follow: (signal: AbortSignal) => AsyncGenerator<LiveMessage>): Response {
  c.header("X-Accel-Buffering", "no"); // nginx: pass each message on at once
  const response = streamSSE(c, async (stream) => {
    const gone = new AbortController();
    stream.onAbort(() => gone.abort());
    c.req.raw.signal.addEventListener("abort", () => gone.abort(), { once: true });
    const messages = follow(gone.signal);
    let heartbeat: NodeJS.Timeout | undefined;
    try {
      await stream.write(`retry: ${RETRY_MS}\n\n`);
      let pending = messages.next();
      while (!gone.signal.aborted) {
        const tick = new Promise<typeof PING>((resolve) => {
          heartbeat = setTimeout(() => resolve(PING), HEARTBEAT_MS);
        });
        const next = await Promise.race([pending, tick]);
        clearTimeout(heartbeat);
        if (next === PING) {
          if (!(await written(stream, stream.write(": ping\n\n")))) break;
          continue;
        }
        if (next.done) break;
        pending = messages.next();
        if (!(await written(stream, stream.write(frameOf(next.value))))) break;
      }
    } catch (err) {
      // The read model away mid-stream, say: the client resumes from its last id.
      log.warn({ err, path: c.req.path }, "live stream ended early");
    } finally {
      clearTimeout(heartbeat);
      gone.abort();
      await messages.return(undefined);
      if (!stream.closed && !stream.aborted) await stream.close();
    }
  });
  // Not `keep-alive` as streamSSE says: a client that asked to close the connection after the stream gets that.
  response.headers.delete("connection");
  return response;
}

const frames = new WeakMap<LiveMessage, Uint8Array>();
const encoder = new TextEncoder();

/**
 * A message as SSE bytes, made once: a feed's messages are the same objects for all its
 * clients, so a thousand clients of a run cost one encoding of each second, not a thousand.
 */
function frameOf(m: LiveMessage): Uint8Array {
  let frame = frames.get(m);
  if (!frame) {
    const data = m.data.replace(/\r\n|\r|\n/g, "\ndata: "); // JSON has no raw newline; should a payload, each line is a data line
    frame = encoder.encode(`event: ${m.event}\n${m.id === undefined ? "" : `id: ${m.id}\n`}data: ${data}\n\n`);
    frames.set(m, frame);
  }
  return frame;
}

/** False when the write did not finish in time: the client is dropped (and its stream aborted). */
async function written(stream: SSEStreamingApi, write: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), WRITE_TIMEOUT_MS);
  });
  const done = await Promise.race([write.then(() => true as const), late]);
  clearTimeout(timer);
  if (!done) stream.abort();
  return done && !stream.aborted;
}
