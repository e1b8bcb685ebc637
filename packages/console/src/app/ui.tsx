import type { ComponentChildren } from "preact";
import type { ApiError } from "./api.ts";
import type { ChangeVerdict, RunStatus, Verdict } from "./types.ts";

/** Each status's badge tone: waiting is muted, under way is info, ending is warn. */
export const STATUS_TONE: Readonly<Record<RunStatus, "muted" | "info" | "warn" | "ok" | "bad">> = {
  Queued: "muted",
  Pending: "muted",
  Starting: "info",
  Running: "info",
  Stopping: "warn",
  Analyzing: "info",
  Completed: "ok",
  Failed: "bad",
  Cancelled: "warn",
};

export function StatusBadge({ status }: { status: RunStatus }) {
  const busy = status === "Running" || status === "Analyzing";
  return (
    <span class={`badge ${STATUS_TONE[status] ?? "muted"}${busy ? " pulse" : ""}`} data-status={status}>
      {status}
    </span>
  );
}

const VERDICT_TONE: Record<Verdict, string> = { passed: "ok", failed: "bad", none: "muted", pending: "info" };
const VERDICT_TEXT: Record<Verdict, string> = { passed: "✓ passed", failed: "✗ failed", none: "no thresholds", pending: "judging…" };

export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  return (
    <span class={`badge ${VERDICT_TONE[verdict]}`} data-verdict={verdict}>
      {VERDICT_TEXT[verdict]}
    </span>
  );
}

const CHANGE_TONE: Record<ChangeVerdict, string> = { better: "ok", same: "muted", worse: "bad" };
export function ChangeBadge({ verdict }: { verdict: ChangeVerdict }) {
  return <span class={`badge ${CHANGE_TONE[verdict]}`}>{verdict}</span>;
}

export function Badge({ tone, children }: { tone: string; children: ComponentChildren }) {
  return <span class={`badge ${tone}`}>{children}</span>;
}

/** A big figure with its label, and a smaller line under it. */
export function Counter({ label, value, sub, id, tone }: { label: string; value: string; sub?: string; id: string; tone?: string }) {
  return (
    <div class={`counter${tone ? ` ${tone}` : ""}`}>
      <div class="counter-label">{label}</div>
      <div class="counter-value" data-counter={id}>
        {value}
      </div>
      {sub !== undefined && <div class="counter-sub">{sub}</div>}
    </div>
  );
}

export function ErrorBox({ error }: { error: ApiError | Error | null | undefined }) {
  if (!error) return null;
  const field = (error as ApiError).field;
  return (
    <div class="error-box" role="alert">
      {error.message}
      {field && <span class="field"> ({field})</span>}
    </div>
  );
}

export function Section({ title, children, right }: { title: string; children: ComponentChildren; right?: ComponentChildren }) {
  return (
    <section class="card">
      <div class="card-head">
        <h2>{title}</h2>
        {right}
      </div>
      {children}
    </section>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

/** Counts by key as a table, largest first. */
export function CountTable({ counts, keyLabel, total }: { counts: Record<string, number>; keyLabel: string; total?: number }) {
  const rows = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  if (rows.length === 0) return <Empty>none</Empty>;
  const sum = total ?? rows.reduce((s, [, n]) => s + n, 0);
  return (
    <table class="table compact">
      <thead>
        <tr>
          <th>{keyLabel}</th>
          <th class="num">count</th>
          <th class="num">share</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([k, n]) => (
          <tr key={k}>
            <td>{k}</td>
            <td class="num">{n.toLocaleString("en-US")}</td>
            <td class="num">{sum > 0 ? `${((n / sum) * 100).toFixed(1)}%` : "–"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
