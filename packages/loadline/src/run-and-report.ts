import type { AggregateView, RunView } from "@loadline/core";
import type { LoadlineClient } from "./client.ts";
import { formatProgress, formatSummary } from "./summary.ts";

/** Live progress: rewritten in place on a terminal, a line per change otherwise (CI logs). */
function progressPrinter(): (run: RunView) => void {
  let last = "";
  return (run) => {
    const text = formatProgress(run);
    if (text === last) return;
    last = text;
    if (process.stdout.isTTY) process.stdout.write(`\r${text.padEnd(process.stdout.columns - 1)}`);
    else console.log(text);
  };
}

/** Starts a run of a test, follows it, prints the summary; the run as it ended, and its totals. */
export async function runAndReport(
  api: LoadlineClient,
  loadTestId: string,
  overrides: Record<string, unknown>,
  timeoutMs: number,
): Promise<{ run: RunView; total: AggregateView }> {
  const run = await api.startRun(loadTestId, overrides);
  await api.waitForEnd(run.id, timeoutMs, progressPrinter());
  console.log();
  await api.waitForProjections(10_000); // the last windows projected: the totals are final
  const ended = await api.waitForVerdict(run.id, 15_000);
  const total = await api.aggregate(run.id);
  console.log(formatSummary(ended, total));
  return { run: ended, total };
}
