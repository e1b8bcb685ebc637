/** What every load generator's parser returns: one run, normalized to requests/s and milliseconds. */
export type ToolResult = {
  requests: number;
  durationSec: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs?: number;
  /** Errors, timeouts and non-2xx responses, as far as the tool tells. */
  failures: number;
  /** Tool-specific figures (dropped iterations, service-time percentiles, RSS, ...). */
  extra?: Record<string, number | undefined>;
};

export type LoadOptions = {
  url: string;
  connections: number;
  durationSec: number;
};

export type Command = { cmd: string; args: string[]; cwd?: string };

/** A parser never returns a default: anything it cannot read is an error naming the tool and the field. */
export class ParseError extends Error {
  constructor(tool: string, what: string) {
    super(`${tool} output: ${what}`);
    this.name = "ParseError";
  }
}

export function requireNumber(tool: string, field: string, value: unknown): number {
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n)) throw new ParseError(tool, `no number for ${field} (got ${JSON.stringify(value)})`);
  return n;
}

/** The named fields of a tool's JSON result, each a number: a ParseError names the first that is not. */
export function requireNumbers<K extends string>(tool: string, j: Record<string, unknown>, keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, requireNumber(tool, k, j[k])])) as Record<K, number>;
}

/** The last line of `stdout` that is a JSON object with `rps`: the result line of a tool printing one (log lines may come before it). */
export function resultLine(tool: string, stdout: string): Record<string, unknown> {
  for (const line of stdout
    .split("\n")
    .map((l) => l.trim())
    .reverse()) {
    if (!line.startsWith("{")) continue;
    try {
      const v = JSON.parse(line);
      if (v && typeof v === "object" && "rps" in v) return v as Record<string, unknown>;
    } catch {
      /* not the result line */
    }
  }
  throw new ParseError(tool, "no JSON result line with 'rps'");
}

/** Rejects a run in which nothing was measured: that is a broken peer, not a figure. */
export function checkMeasured(tool: string, r: ToolResult): ToolResult {
  if (r.requests <= 0) throw new ParseError(tool, "no request completed");
  if (r.rps <= 0) throw new ParseError(tool, "requests/s is 0");
  if (r.durationSec <= 0) throw new ParseError(tool, "duration is 0");
  return r;
}
