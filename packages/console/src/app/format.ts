/** Figures as the console shows them: short, with a unit, never "NaN". */

const DASH = "–";

/** 1234 → "1,234"; 1234567 → "1.23M". */
export function count(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${trim(n / 1e9)}G`;
  if (abs >= 1e6) return `${trim(n / 1e6)}M`;
  return Math.round(n).toLocaleString("en-US");
}

/** A rate a second: one decimal under 100. */
export function rate(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  return Math.abs(n) < 100 ? n.toFixed(1) : count(n);
}

/** Milliseconds: "0.42 ms", "12.3 ms", "245 ms", "1.24 s". */
export function ms(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  if (n >= 1000) return `${trim(n / 1000)} s`;
  if (n >= 100) return `${Math.round(n)} ms`;
  if (n >= 10) return `${n.toFixed(1)} ms`;
  return `${n.toFixed(2)} ms`;
}

/** A fraction as a percentage: 0.0123 → "1.23%". */
export function percent(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  const p = n * 100;
  if (p === 0) return "0%";
  if (Math.abs(p) < 0.01) return "<0.01%";
  return `${p < 10 ? p.toFixed(2) : p.toFixed(1)}%`;
}

/** Bytes: "512 B", "1.5 kB", "12 MB". */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  const units = ["B", "kB", "MB", "GB", "TB"];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v : trim(v)} ${units[u]}`;
}

/** Seconds as "45s", "3m 05s", "1h 02m". */
export function duration(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec) || sec < 0) return DASH;
  const s = Math.floor(sec);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}

/** An instant as local "2026-12-05 11:17:23". */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return DASH;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** How long ago, from `now`: "5s ago", "3m ago", "2h ago", "4d ago". */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return DASH;
  const sec = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(sec)) return DASH;
  if (sec < 60) return `${Math.floor(sec)}s ago`;
  if (sec < 3600) return `${Math.floor(sec / 60)}m ago`;
  if (sec < 86400) return `${Math.floor(sec / 3600)}h ago`;
  return `${Math.floor(sec / 86400)}d ago`;
}

/** How long until, from `now`: "in 5s", "in 3m", "in 2h", "in 4d"; "now" once it is past. */
export function ahead(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return DASH;
  const sec = (Date.parse(iso) - now) / 1000;
  if (!Number.isFinite(sec)) return DASH;
  if (sec < 1) return "now";
  if (sec < 60) return `in ${Math.floor(sec)}s`;
  if (sec < 3600) return `in ${Math.floor(sec / 60)}m`;
  if (sec < 86400) return `in ${Math.floor(sec / 3600)}h`;
  return `in ${Math.floor(sec / 86400)}d`;
}

/** An instant's local time of day: "11:17:23". */
export function clockTime(iso: string | null | undefined): string {
  const full = dateTime(iso);
  return full === DASH ? DASH : full.slice(11);
}

/** An instant as its time of day when it is today (local), else as its date and time. */
export function timeOrDate(iso: string | null | undefined, now = Date.now()): string {
  const full = dateTime(iso);
  return full !== DASH && full.slice(0, 10) === dateTime(new Date(now).toISOString()).slice(0, 10) ? full.slice(11) : full;
}

/** A run's length: from its start to its end, or to now while it runs. */
export function runLength(startedAt: string | null, finishedAt: string | null, now = Date.now()): number | null {
  if (!startedAt) return null;
  const end = finishedAt ? Date.parse(finishedAt) : now;
  return Math.max(0, (end - Date.parse(startedAt)) / 1000);
}

/** An id shortened for a table: its last 8 characters. */
export const shortId = (id: string): string => (id.length > 12 ? `…${id.slice(-8)}` : id);

/** A relative change: +12.3%, −4.0%. */
export function signedPercent(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  const p = n * 100;
  return `${p > 0 ? "+" : p < 0 ? "−" : "±"}${Math.abs(p).toFixed(1)}%`;
}

function trim(n: number): string {
  return Number(n.toFixed(Math.abs(n) < 10 ? 2 : Math.abs(n) < 100 ? 1 : 0)).toString();
}
