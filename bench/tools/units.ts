import { ParseError } from "./types.ts";

const TIME_TO_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "812.00us", "1.23ms", "2.00s", "1.00m" (wrk's formats) -> milliseconds. */
export function timeToMs(tool: string, text: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new ParseError(tool, `not a duration: ${JSON.stringify(text)}`);
  return Number(m[1]) * TIME_TO_MS[m[2]!]!;
}

const COUNT: Record<string, number> = { "": 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9 };

/** "35.87k", "1.2M", "512" -> a number. */
export function countValue(tool: string, text: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)([kKMG]?)$/.exec(text.trim());
  if (!m) throw new ParseError(tool, `not a count: ${JSON.stringify(text)}`);
  return Number(m[1]) * COUNT[m[2]!]!;
}
