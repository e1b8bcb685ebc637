/** A markdown table with padded columns; numbers are right-aligned. */
export function markdownTable(header: string[], rows: (string | number)[][], numeric: boolean[] = []): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(3, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    "| " + widths.map((w, i) => (numeric[i] ? (r[i] ?? "").padStart(w) : (r[i] ?? "").padEnd(w))).join(" | ") + " |";
  const sep = "|" + widths.map((w, i) => (numeric[i] ? "-".repeat(w + 1) + ":" : "-".repeat(w + 2))).join("|") + "|";
  return [line(header), sep, ...cells.slice(1).map(line)].join("\n");
}

/** Fixed decimals, with thousands separators for big figures; "—" for a missing value. */
export function fmt(n: number | undefined, decimals = 1): string {
  if (n === undefined || !Number.isFinite(n)) return "—";
  return n.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}
