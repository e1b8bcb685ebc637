/** Number and text formatting the human formats (HTML, JUnit messages) share. */

/** Text safe in HTML or XML content and attribute values; characters XML 1.0 forbids are dropped. */
export function escapeXml(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: exactly the control characters XML 1.0 refuses
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
      // lone surrogates: not characters at all
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "")
      .replaceAll("&", "&amp;")
      .replaceAll("<", "&lt;")
      .replaceAll(">", "&gt;")
      .replaceAll('"', "&quot;")
      .replaceAll("'", "&#39;")
  );
}

const grouped = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** A count with thousands separators: 1,234,567. */
export const formatCount = (n: number): string => grouped.format(n);

/** A rate with at most one decimal below 100: 12.3, 1,234. */
export function formatRate(n: number): string {
  if (n === 0) return "0";
  if (n >= 100) return grouped.format(n);
  return n.toFixed(1);
}

/** Milliseconds with a precision that suits their size: 0.42 ms, 12.3 ms, 1,234 ms, 12.3 s. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "—";
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${grouped.format(ms)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** A share 0..1 as a percentage: 0%, 0.04%, 1.2%, 12%. */
export function formatPercent(share: number): string {
  const p = share * 100;
  if (p === 0) return "0%";
  if (p < 0.1) return `${p.toFixed(2)}%`;
  if (p < 10) return `${p.toFixed(1)}%`;
  return `${Math.round(p)}%`;
}

/** A pass rate: like a percentage, but never rounded up to 100% while something failed: 99.5%, 99.98%. */
export function formatPassRate(share: number): string {
  if (share >= 1) return "100%";
  const p = share * 100;
  if (p < 99) return formatPercent(share);
  const decimals = p < 99.9 ? 1 : p < 99.99 ? 2 : 3;
  const f = 10 ** decimals;
  return `${(Math.floor(p * f) / f).toFixed(decimals)}%`;
}

/** Bytes in binary units: 512 B, 1.5 KiB, 20.0 MiB. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** A length of time: 45 s, 2 min 5 s, 1 h 0 min. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Elapsed time on an axis: 0:45, 12:00, 1:00:00. */
export function formatElapsed(seconds: number): string {
  // Before the first point (a SUT second, an action fired before the first request): −0:03.
  if (Math.round(seconds) < 0) return `−${formatElapsed(-seconds)}`;
  const s = Math.round(seconds);
  const two = (n: number) => String(n).padStart(2, "0");
  if (s < 3600) return `${Math.floor(s / 60)}:${two(s % 60)}`;
  return `${Math.floor(s / 3600)}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
}

/** An instant as a reader reads it, in UTC: 2026-12-03 14:05:09 UTC. */
export function formatInstant(iso: string | null): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** The metrics whose `rate` is a share (0..1), not a number per second. */
const SHARE_RATES = new Set(["error_rate", "failures", "status", "checks"]);

/**
 * A threshold's observed value as its expression compares it: ms for latency and service time, a
 * share with its percentage (`0.0123 (1.2%)`), a count grouped, a rate per second to a decimal.
 */
export function formatObserved(metric: string, expression: string, observed: number | null): string {
  if (observed === null) return "nothing measured";
  const base = metric.replace(/\{.*$/, "").trim();
  const aggregation = expression.trim().split(/[\s(<>=!]/)[0] ?? "";
  if (base === "latency" || base === "service_time") return formatMs(observed);
  if (aggregation === "rate" && SHARE_RATES.has(base))
    return `${Number(observed.toPrecision(4))} (${Number((observed * 100).toPrecision(3))}%)`;
  if (Number.isInteger(observed)) return formatCount(observed);
  return observed >= 100 ? formatCount(observed) : String(Number(observed.toPrecision(4)));
}
