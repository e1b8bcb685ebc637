import { compileRegex, type MessageCheck, type MessageExtract } from "@loadline/core";
import { type CompiledCheck, compileCheck } from "./checks.ts";
import { type CompiledExtraction, compileExtraction } from "./extract.ts";
import { ResponseView } from "./response-view.ts";
import type { VariableTable } from "./variables.ts";

/** A WebSocket message or an SSE event's data as checks and extractions read it: a body, parsed as JSON at most once. */
export const messageView = (text: string, status: number, latencyMs: number): ResponseView =>
  new ResponseView({ status, headers: {}, body: text }, latencyMs);

function compileMessageCheck(check: MessageCheck): CompiledCheck {
  if (check.type !== "regex") return compileCheck(check);
  // RE2, not RegExp: a user's pattern must not backtrack for ever on a message (see core's regex.ts).
  const pattern = compileRegex(check.pattern);
  return (r) => pattern.test(r.response.body);
}

/** The checks and extractions of a wait for a message, compiled once: the request step's, read on one message. */
export class MessageInspection {
  /** Checks plus extractions: each counts as one check passed or failed. */
  readonly count: number;
  private readonly checks: readonly CompiledCheck[];
  private readonly extractions: readonly CompiledExtraction[];

  constructor(checks: readonly MessageCheck[], extract: readonly MessageExtract[], table: VariableTable) {
    this.checks = checks.map(compileMessageCheck);
    this.extractions = extract.map((e) => compileExtraction(e, table));
    this.count = this.checks.length + this.extractions.length;
  }

  /** How many checks the message fails. */
  failedChecks(view: ResponseView): number {
    let failed = 0;
    for (const check of this.checks) if (!check(view)) failed++;
    return failed;
  }

  /** Runs the extractions into `values`; returns how many found nothing (the variable keeps its value). */
  extract(view: ResponseView, values: string[]): number {
    let failed = 0;
    for (const { slot, read } of this.extractions) {
      const value = read(view);
      if (value === undefined) failed++;
      else values[slot] = value;
    }
    return failed;
  }
}
