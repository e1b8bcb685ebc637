import { BUILTIN_VARIABLES, compileTemplate } from "@loadline/core";

/**
 * Every variable a scenario can touch is known at compile time (built-ins, scenario variables,
 * data columns, extracted values), so each gets a slot: a session's variables are a plain
 * string array and rendering is array lookups, with no per-session object shapes or key hashing.
 */
export class VariableTable {
  private readonly slots = new Map<string, number>();

  constructor() {
    for (const name of BUILTIN_VARIABLES) this.slot(name);
  }

  /** The slot of a variable, registering it on first sight. */
  slot(name: string): number {
    let slot = this.slots.get(name);
    if (slot === undefined) {
      slot = this.slots.size;
      this.slots.set(name, slot);
    }
    return slot;
  }

  get size(): number {
    return this.slots.size;
  }

  /** Name → value, for tests and debugging. */
  snapshot(values: readonly string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, slot] of this.slots) out[name] = values[slot] ?? "";
    return out;
  }
}

/** Built-ins sit in the first slots, in BUILTIN_VARIABLES order. */
export const BUILTIN_SLOT = { vu: 0, iteration: 1, scenario: 2, timestamp: 3, uuid: 4, worker: 5 } as const;

/** A string with at least one `{{variable}}`: literal parts and slot numbers. */
export type TemplateText = { readonly parts: readonly (string | number)[] };

/** A string as the runtime holds it: a plain string when it has no variable (rendered as is). */
export type Text = string | TemplateText;

/** Compiles a template; `refs` collects the slots it reads. */
export function compileText(text: string, table: VariableTable, refs?: Set<number>): Text {
  const template = compileTemplate(text);
  if (template.variables.length === 0) return text;
  const parts = template.parts.map((p) => (typeof p === "string" ? p : table.slot(p.variable)));
  for (const p of parts) if (typeof p === "number") refs?.add(p);
  return { parts };
}

export function renderText(t: Text, values: readonly string[]): string {
  if (typeof t === "string") return t;
  let out = "";
  for (const p of t.parts) out += typeof p === "string" ? p : (values[p] ?? "");
  return out;
}

export type Encoder = (s: string) => string;

/** A rendered value placed in a larger string, encoded for where it goes (JSON, query, form). */
type Slot = { readonly text: TemplateText; readonly encode: Encoder | null };

/** A string assembled from literal chunks and encoded templates: a JSON body, a path with a query. */
export type Composite = { readonly parts: readonly (string | Slot)[] };

/** Builds a composite, encoding constant pieces once and merging adjacent literals. */
export class CompositeBuilder {
  private readonly parts: (string | Slot)[] = [];

  literal(s: string): this {
    if (s === "") return this;
    const last = this.parts.length - 1;
    if (typeof this.parts[last] === "string") this.parts[last] += s;
    else this.parts.push(s);
    return this;
  }

  text(t: Text, encode: Encoder | null = null): this {
    if (typeof t === "string") return this.literal(encode ? encode(t) : t);
    this.parts.push({ text: t, encode });
    return this;
  }

  /** A plain string when nothing is left to render. */
  build(): string | Composite {
    if (this.parts.length === 0) return "";
    if (this.parts.length === 1 && typeof this.parts[0] === "string") return this.parts[0];
    return { parts: this.parts };
  }
}

export function renderComposite(c: string | Composite, values: readonly string[]): string {
  if (typeof c === "string") return c;
  let out = "";
  for (const p of c.parts) {
    if (typeof p === "string") out += p;
    else {
      const s = renderText(p.text, values);
      out += p.encode ? p.encode(s) : s;
    }
  }
  return out;
}
