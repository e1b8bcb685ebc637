/** Just after the boundary, so that the second that ended is really over by the wall clock. */
const AFTER_BOUNDARY_MS = 5;

export type Ticker = { stop(): void };

/**
 * Calls `onSecond(epochSecond)` once a second, just after each wall-clock second starts.
 * Re-armed from the clock each time, so it does not drift; a late tick is simply late.
 */
export function startSecondTicker(onSecond: (second: number) => void): Ticker {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = () => {
    const now = Date.now();
    timer = setTimeout(fire, 1000 - (now % 1000) + AFTER_BOUNDARY_MS);
  };
  const fire = () => {
    if (stopped) return;
    onSecond(Math.floor(Date.now() / 1000));
    arm();
  };
  arm();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
