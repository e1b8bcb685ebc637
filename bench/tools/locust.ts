// Locust 2.12 (Debian's python3-locust), headless, FastHttpUser from bench/locustfile.py.
// Its CSV files lag the end of the run by up to a second, so the parser reads the final
// summary tables that `--only-summary` prints (to stderr). Its percentiles are whole ms.
import { type Command, checkMeasured, type LoadOptions, ParseError, requireNumber, type ToolResult } from "./types.ts";

const TOOL = "locust";

export function locustCommand(o: LoadOptions, locustfile: string): Command {
  const u = new URL(o.url);
  return {
    cmd: "locust",
    args: [
      "-f",
      locustfile,
      "--headless",
      "-u",
      String(o.connections),
      "-r",
      String(o.connections),
      "-t",
      `${o.durationSec}s`,
      "--host",
      u.origin,
      "--only-summary",
      "--loglevel",
      "WARNING",
      "--exit-code-on-error",
      "0",
    ],
  };
}

/** The last line of `text` whose second column is "Aggregated", split on whitespace. */
function lastAggregated(text: string): string[] | undefined {
  const lines = text.split("\n").filter((l) => /^\s+Aggregated\s/.test(l));
  return lines.at(-1)?.trim().split(/\s+/);
}

export function parseLocust(output: string): ToolResult {
  const statsStart = output.lastIndexOf("# reqs      # fails");
  const pctStart = output.lastIndexOf("Response time percentiles");
  if (statsStart < 0) throw new ParseError(TOOL, "no request stats table");
  if (pctStart < statsStart) throw new ParseError(TOOL, "no percentile table after the stats table");
  // Aggregated 9710 0(0.00%) | 6 0 73 6 | 3561.38 0.00
  const stats = lastAggregated(output.slice(statsStart, pctStart));
  if (!stats || stats.length < 11) throw new ParseError(TOOL, "no Aggregated row in the stats table");
  const requests = requireNumber(TOOL, "# reqs", stats[1]);
  const failures = requireNumber(TOOL, "# fails", stats[2]!.replace(/\(.*\)$/, ""));
  const maxMs = requireNumber(TOOL, "Max", stats[6]);
  const rps = requireNumber(TOOL, "req/s", stats[9]);
  const pctText = output.slice(pctStart);
  const header = pctText.split("\n").find((l) => /^Type\s+Name\s/.test(l));
  if (!header) throw new ParseError(TOOL, "no percentile header");
  const labels = header.trim().split(/\s+/).slice(2); // 50% 66% ... 100% # reqs
  const row = lastAggregated(pctText);
  if (!row) throw new ParseError(TOOL, "no Aggregated row in the percentile table");
  const values = row.slice(1);
  const pct = (label: string) => {
    const i = labels.indexOf(label);
    if (i < 0) throw new ParseError(TOOL, `no ${label} column`);
    return requireNumber(TOOL, label, values[i]);
  };
  return checkMeasured(TOOL, {
    requests,
    durationSec: rps > 0 ? requests / rps : 0,
    rps,
    p50Ms: pct("50%"),
    p99Ms: pct("99%"),
    maxMs,
    failures,
  });
}
