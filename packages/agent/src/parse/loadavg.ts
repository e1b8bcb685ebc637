export type Load = { one: number; five: number; fifteen: number };

/** Parses /proc/loadavg: `0.52 0.58 0.59 1/467 12345`. */
export function parseLoadavg(text: string): Load {
  const [one, five, fifteen] = text.trim().split(/\s+/).map(Number);
  if (![one, five, fifteen].every((n) => n !== undefined && Number.isFinite(n))) throw new Error(`bad /proc/loadavg: ${text.slice(0, 80)}`);
  return { one: one!, five: five!, fifteen: fifteen! };
}
