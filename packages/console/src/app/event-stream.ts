import { ApiError, apiErrorOf, authHeaders, credential } from "./api.ts";
import { type SseEvent, SseParser } from "./sse.ts";

export type StreamHandlers = {
  onEvent(e: SseEvent): void;
  /** Connected (again): `resumed` when it resumed from a last id. */
  onOpen?(resumed: boolean): void;
  /** A refusal that retrying will not change (404, 403...), or the stream ended for good. */
  onError?(err: ApiError): void;
  /** Dropped; reconnecting after `delayMs`. */
  onRetry?(delayMs: number): void;
};

/** An event that ends the stream for good: no reconnection after it. */
export const END_EVENT = "end";

/**
 * Reads a server-sent event stream with fetch(), which (unlike EventSource) can send the
 * credential. When the stream drops it reconnects with `Last-Event-ID` (the last id seen), after
 * a growing pause; it stops after `event: end`, on a refusal (4xx), or when `signal` aborts.
 */
export async function readEventStream(url: string, handlers: StreamHandlers, signal: AbortSignal): Promise<void> {
  let lastId = "";
  let failures = 0;
  while (!signal.aborted) {
    let ended = false;
    const parser = new SseParser((e) => {
      if (e.event === END_EVENT) ended = true;
      handlers.onEvent(e);
    });
    parser.lastId = lastId;
    try {
      const headers: Record<string, string> = { Accept: "text/event-stream", ...authHeaders() };
      if (lastId) headers["Last-Event-ID"] = lastId;
      const res = await fetch(url, { headers, signal, cache: "no-store" });
      if (!res.ok || !res.body) {
        const err = await apiErrorOf(res);
        if (res.status === 401) credential.clear();
        if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
          handlers.onError?.(err);
          return;
        }
        throw err;
      }
      handlers.onOpen?.(lastId !== "");
      failures = 0;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.feed(value);
          lastId = parser.lastId;
          if (ended) break;
        }
      } finally {
        reader.cancel().catch(() => undefined);
      }
      parser.end();
      lastId = parser.lastId;
      if (ended) return;
    } catch (err) {
      if (signal.aborted) return;
      lastId = parser.lastId;
      if (err instanceof ApiError && failures > 10) {
        handlers.onError?.(err);
        return;
      }
    }
    failures++;
    const delay = Math.min(5000, 250 * 2 ** Math.min(failures, 5));
    handlers.onRetry?.(delay);
    await sleep(delay, signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
