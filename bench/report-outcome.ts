// What a generator's run came to, and how a table row says it was not measured: report.ts and
// report-ingest.ts both print it.
import type { ToolResult } from "./tools/types.ts";

export type Outcome = { ok: true; result: ToolResult; note?: string } | { ok: false; reason: string };

export function reason(o: Outcome): string {
  return o.ok ? "" : `not available: ${o.reason}`;
}
