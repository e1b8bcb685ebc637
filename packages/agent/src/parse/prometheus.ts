/** One series of a Prometheus text exposition: its name and labels, and its value. */
export type Series = { name: string; labels: [string, string][]; value: number };
/** What a config's `series` entry selects: a metric name, and labels that must all be equal. */
export type Selector = { name: string; labels: [string, string][] };

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

/** Reads `name` or `name{a="x",b="y"}` from the start of `text`; returns it and where it ended. */
function readSeriesId(text: string): { name: string; labels: [string, string][]; end: number } {
  const name = NAME.exec(text)?.[0];
  if (!name) throw new Error(`no metric name in "${text.slice(0, 60)}"`);
  let i = name.length;
  const labels: [string, string][] = [];
  if (text[i] !== "{") return { name, labels, end: i };
  i++;
  for (;;) {
    while (text[i] === " " || text[i] === ",") i++;
    if (text[i] === "}") return { name, labels, end: i + 1 };
    const label = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i))?.[0];
    if (!label) throw new Error(`bad label in "${text.slice(0, 60)}"`);
    i += label.length;
    while (text[i] === " ") i++;
    if (text[i] !== "=" || text[i + 1] !== '"') throw new Error(`label ${label} has no quoted value in "${text.slice(0, 60)}"`);
    i += 2;
    let value = "";
    for (;;) {
      const c = text[i];
      if (c === undefined) throw new Error(`unterminated label value in "${text.slice(0, 60)}"`);
      i++;
      if (c === '"') break;
      if (c === "\\") {
        const e = text[i++];
        value += e === "n" ? "\n" : (e ?? "");
      } else value += c;
    }
    labels.push([label, value]);
  }
}

/** Parses a config's selector: `name` or `name{label="value",...}`. */
export function parseSelector(text: string): Selector {
  const t = text.trim();
  const { name, labels, end } = readSeriesId(t);
  if (end !== t.length) throw new Error(`unexpected "${t.slice(end)}" after the selector`);
  return { name, labels };
}

/** Parses the Prometheus text exposition format (comments and HELP/TYPE lines skipped; a timestamp is ignored). */
export function parsePrometheusText(text: string): Series[] {
  const out: Series[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const { name, labels, end } = readSeriesId(line);
    const value = parsePromNumber(line.slice(end).trim().split(/\s+/)[0] ?? "");
    out.push({ name, labels, value });
  }
  return out;
}

function parsePromNumber(text: string): number {
  if (text === "+Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/** A series as `name{a="x"}`: the key it is reported under. */
export function seriesKey(s: { name: string; labels: [string, string][] }): string {
  if (s.labels.length === 0) return s.name;
  const quoted = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
  return `${s.name}{${s.labels.map(([k, v]) => `${k}="${quoted(v)}"`).join(",")}}`;
}

/**
 * The series that any selector selects, by key, at most `max` of them. NaN and infinite
 * values are left out: JSON cannot carry them.
 */
export function selectSeries(series: readonly Series[], selectors: readonly Selector[], max: number): Record<string, number> {
  const out: Record<string, number> = {};
  let count = 0;
  for (const s of series) {
    if (count >= max) break;
    if (!Number.isFinite(s.value)) continue;
    const selected = selectors.some(
      (sel) => sel.name === s.name && sel.labels.every(([k, v]) => s.labels.some(([sk, sv]) => sk === k && sv === v)),
    );
    if (!selected) continue;
    const key = seriesKey(s);
    if (!(key in out)) count++;
    out[key] = s.value;
  }
  return out;
}
