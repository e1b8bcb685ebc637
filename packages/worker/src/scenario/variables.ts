import { BUILTIN_VARIABLES, compileTemplate, isSecretVariable, isSetupVariable, SETUP_PREFIX, secretOf } from "@loadline/core";

/** A run's constants: its secrets' values and what its setup extracted (by name, without `setup.`). */
export type RunConstants = { secrets?: Readonly<Record<string, string>>; setup?: Readonly<Record<string, string>> };

/**
 * Every variable a scenario can touch is known at compile time (built-ins, scenario variables,
 * data columns, extracted values), so each gets a slot: a session's variables are a plain
 * string array and rendering is array lookups, with no per-session object shapes or key hashing.
 */
export class VariableTable {
  private readonly slots = new Map<string, number>();

  /**
   * `secrets`: the values of the run's secrets, which `{{secrets.NAME}}` renders. They are
   * constants of the run, so templates take them in at compile time (secretValue) and no slot
   * holds one. Absent (a compile that only checks the scenario), every reference renders empty.
   */
  private readonly secrets: Readonly<Record<string, string>> | undefined;
  private readonly setup: Readonly<Record<string, string>> | undefined;

  /** `{{setup.NAME}}` is a constant of the run as a secret is: rendered at compile time, from `constants.setup`. */
  constructor(constants: RunConstants = {}) {
    this.secrets = constants.secrets;
    this.setup = constants.setup;
    for (const name of BUILTIN_VARIABLES) this.slot(name);
  }

  /** The slot of a variable, registering it on first sight. Secrets and setup values have none: nothing writes them. */
  slot(name: string): number {
    if (isSecretVariable(name)) throw new Error(`${name} is a secret: a scenario reads it, it cannot write it`);
    if (isSetupVariable(name)) throw new Error(`${name} is the run's setup's: a scenario reads it, it cannot write it`);
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

  /**
   * The value `{{secrets.NAME}}` renders; throws, naming the secret (never a value), on a name
   * that is no secret's or a secret the run was not given.
   */
  secretValue(variable: string): string {
    const name = secretOf(variable);
    if (name === null) throw new Error(`{{${variable}}} is no secret: secret names are letters, digits and _`);
    if (this.secrets === undefined) return "";
    const value = Object.hasOwn(this.secrets, name) ? this.secrets[name] : undefined;
    if (value === undefined) throw new Error(`the scenario refers to secret ${name}, which the run was not given`);
    return value;
  }

  /**
   * The value `{{setup.NAME}}` renders: what the run's setup extracted. Absent setup values (a
   * compile that only checks the scenario) render empty; a name the setup did not extract throws.
   */
  setupValue(variable: string): string {
    if (this.setup === undefined) return "";
    const name = variable.slice(SETUP_PREFIX.length);
    const value = Object.hasOwn(this.setup, name) ? this.setup[name] : undefined;
    if (value === undefined) throw new Error(`the scenario reads {{${variable}}}, which the run's setup did not extract`);
    return value;
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

/** Compiles a template, its secrets taken in as text (VariableTable.secretValue); `refs` collects the slots it reads. */
export function compileText(text: string, table: VariableTable, refs?: Set<number>): Text {
  const template = compileTemplate(text);
  if (template.variables.length === 0) return text;
  const parts: (string | number)[] = [];
  for (const p of template.parts) {
    const part =
      typeof p === "string"
        ? p
        : isSecretVariable(p.variable)
          ? table.secretValue(p.variable)
          : isSetupVariable(p.variable)
            ? table.setupValue(p.variable)
            : table.slot(p.variable);
    if (typeof part === "number") refs?.add(part);
    if (typeof part === "string" && typeof parts.at(-1) === "string") parts[parts.length - 1] += part;
    else parts.push(part);
  }
  if (parts.length <= 1 && typeof parts[0] !== "number") return (parts[0] as string | undefined) ?? "";
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
