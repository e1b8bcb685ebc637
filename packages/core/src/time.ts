/**
 * Resolves no sooner than `ms` after the call by performance.now (at once when the signal aborts).
 * Node arms a timer from the loop's clock, whole milliseconds cached at the turn's start, so a
 * plain setTimeout may fire up to a millisecond early: a think time, or a target's fixed delay,
 * must not be shorter than asked.
 */
export async function sleepAtLeast(ms: number, signal?: AbortSignal): Promise<void> {
  const until = performance.now() + ms;
  let left = ms;
  do await sleep(left, signal);
  while (!signal?.aborted && (left = until - performance.now()) > 0);
}

/** Resolves after `ms`; at once when the signal aborts (a stopping service does not wait out its pauses). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener("abort", done, { once: true });
  });
}
