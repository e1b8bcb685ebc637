/**
 * One thread's share of an executor's items (VUs, arrivals, iterations): the items whose
 * number is `index` modulo `count`. The lanes of all threads partition the items exactly.
 */
export type Lane = { index: number; count: number };

export const WHOLE: Lane = { index: 0, count: 1 };

/** How many of the items 0..total-1 fall in a lane. */
export function laneShare(total: number, lane: Lane): number {
  return total > lane.index ? Math.floor((total - lane.index - 1) / lane.count) + 1 : 0;
}

/** The lane's items in order: its `local`-th item is item number `index + local * count` of the whole. */
export const globalItem = (local: number, lane: Lane): number => lane.index + local * lane.count;
