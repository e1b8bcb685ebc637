import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { parse as parseYaml } from "yaml";

export class TestFileError extends Error {
  override name = "TestFileError";
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** How deep includes may nest: deeper is a loop the chain check missed, or a layout nobody can read. */
const MAX_INCLUDE_DEPTH = 8;

/**
 * Reads a load test written as YAML or JSON (JSON is YAML). Files it names are read here and sent
 * inline, so the API never reads the client's disk, each relative to the file that names it:
 * - a scenario `{include: login.yaml}` is the scenario (or list of scenarios) that file holds;
 * - a step `{include: checkout-steps.yaml}` is the steps that file holds (a list, or `{steps}`);
 * - a scenario's data set `data: {file: users.csv}` (or a .json file of rows);
 * - a grpc step's `protoFile: demo.proto`, sent as its `proto` text;
 * - a Locust test's `locustfile: {file: locustfile.py}`, sent as the locustfile's text;
 * - a block of steps `{group: checkout, steps: [...]}` is its steps, each with `group: checkout`
 *   (the API's form: consecutive steps of a group are timed together).
 * The optional `run` section holds this run's overrides (targetUsers, spawnRate, durationSec, env).
 */
export function loadTestFile(path: string): { spec: Json; overrides: Json } {
  const doc = readYaml(path, path);
  if (!isObject(doc)) throw new TestFileError(`${path}: a load test file holds one object (name, targetUrl, scenarios…)`);
  const { run, ...spec } = doc;
  if (run !== undefined && !isObject(run)) throw new TestFileError(`${path}: run must be an object of overrides`);
  if (Array.isArray(spec.scenarios)) spec.scenarios = scenariosOf(spec.scenarios, "scenarios", [resolve(path)]);
  if (isObject(spec.locustfile)) spec.locustfile = inlineLocustfile(spec.locustfile, path);
  for (const phase of ["setup", "teardown"] as const) {
    const steps = isObject(spec[phase]) ? spec[phase].steps : undefined;
    if (Array.isArray(steps)) spec[phase] = { ...(spec[phase] as Json), steps: stepsOf(steps, `${phase}.steps`, [resolve(path)]) };
  }
  return { spec, overrides: run ?? {} };
}

function readYaml(full: string, field: string): unknown {
  let text: string;
  try {
    text = readFileSync(full, "utf8");
  } catch {
    throw new TestFileError(`${field}: cannot read ${full}`);
  }
  try {
    return parseYaml(text);
  } catch (e) {
    throw new TestFileError(`${field}: ${full}: ${(e as Error).message}`);
  }
}

/** The file an `include` names, read: refused when it is already on the chain of files including it. */
function included(name: unknown, field: string, chain: readonly string[]): { doc: unknown; chain: string[] } {
  if (typeof name !== "string" || name === "") throw new TestFileError(`${field}: include names a file`);
  const full = resolve(dirname(chain.at(-1)!), name);
  const base = dirname(chain[0]!);
  if (chain.includes(full))
    throw new TestFileError(`${field}: ${name} includes itself (${[...chain, full].map((f) => relative(base, f)).join(" → ")})`);
  if (chain.length > MAX_INCLUDE_DEPTH) throw new TestFileError(`${field}: includes nest deeper than ${MAX_INCLUDE_DEPTH} files`);
  return { doc: readYaml(full, field), chain: [...chain, full] };
}

const isInclude = (v: unknown): v is { include: unknown } => isObject(v) && "include" in v && Object.keys(v).length === 1;

/** The scenarios with includes expanded and data files inlined, each relative to the file that holds it. */
function scenariosOf(entries: unknown[], field: string, chain: readonly string[]): unknown[] {
  return entries.flatMap((entry, i) => {
    const at = `${field}.${i}`;
    if (!isInclude(entry)) return [scenarioOf(entry, at, chain)];
    const { doc, chain: inner } = included(entry.include, `${at}.include`, chain);
    return scenariosOf(Array.isArray(doc) ? doc : [doc], `${at}.include`, inner);
  });
}

function scenarioOf(scenario: unknown, field: string, chain: readonly string[]): unknown {
  if (!isObject(scenario)) return scenario;
  const out = { ...scenario };
  if (Array.isArray(out.steps)) out.steps = stepsOf(out.steps, `${field}.steps`, chain);
  if (isObject(out.data) && typeof out.data.file === "string") out.data = inlineData(out.data, `${field}.data.file`, chain);
  return out;
}

function stepsOf(entries: unknown[], field: string, chain: readonly string[], inGroup?: string): unknown[] {
  return entries.flatMap((entry, i) => {
    const at = `${field}.${i}`;
    if (isGroupBlock(entry)) {
      if (inGroup !== undefined) throw new TestFileError(`${at}: a group inside group "${inGroup}": groups do not nest`);
      if (typeof entry.group !== "string" || entry.group === "") throw new TestFileError(`${at}.group: a group has a name`);
      const name = entry.group;
      return stepsOf(entry.steps, `${at}.steps`, chain, name).map((step) => (isObject(step) ? { ...step, group: name } : step));
    }
    if (!isInclude(entry)) return [isObject(entry) && "protoFile" in entry ? inlineProto(entry, `${at}.protoFile`, chain) : entry];
    const { doc, chain: inner } = included(entry.include, `${at}.include`, chain);
    const steps = Array.isArray(doc) ? doc : isObject(doc) && Array.isArray(doc.steps) ? doc.steps : null;
    if (!steps) throw new TestFileError(`${at}.include: ${entry.include} holds no steps (a list, or an object with steps)`);
    return stepsOf(steps, `${at}.include`, inner, inGroup);
  });
}

/** A block of steps in a file, `{group: NAME, steps: [...]}`: the API's steps with `group`. */
const isGroupBlock = (v: unknown): v is { group: unknown; steps: unknown[] } =>
  isObject(v) && !("type" in v) && "group" in v && Array.isArray(v.steps);

/** A step's `protoFile` read into its `proto` (the API takes the text: it never reads the client's disk). */
function inlineProto(step: Json, field: string, chain: readonly string[]): Json {
  const { protoFile, ...rest } = step;
  if (typeof protoFile !== "string" || protoFile === "") throw new TestFileError(`${field}: protoFile names a .proto file`);
  if (rest.proto !== undefined) throw new TestFileError(`${field}: a step has proto (the text) or protoFile, not both`);
  const full = resolve(dirname(chain.at(-1)!), protoFile);
  try {
    return { ...rest, proto: readFileSync(full, "utf8") };
  } catch {
    throw new TestFileError(`${field}: cannot read ${full}`);
  }
}

/** `locustfile: {file: NAME}`: the file's text, as the API takes it. */
function inlineLocustfile(locustfile: Json, path: string): string {
  const { file, ...rest } = locustfile;
  if (typeof file !== "string" || file === "" || Object.keys(rest).length > 0)
    throw new TestFileError("locustfile: the locustfile's text, or {file: NAME} naming a .py file beside the test");
  const full = resolve(dirname(path), file);
  try {
    return readFileSync(full, "utf8");
  } catch {
    throw new TestFileError(`locustfile.file: cannot read ${full}`);
  }
}

function inlineData(data: Json, field: string, chain: readonly string[]): Json {
  const { file, ...rest } = data;
  const full = resolve(dirname(chain.at(-1)!), String(file));
  let text: string;
  try {
    text = readFileSync(full, "utf8");
  } catch {
    throw new TestFileError(`${field}: cannot read ${full}`);
  }
  if (!full.endsWith(".json")) return { ...rest, csv: text };
  try {
    return { ...rest, rows: JSON.parse(text) as unknown };
  } catch (e) {
    throw new TestFileError(`${field}: ${full} is not JSON: ${(e as Error).message}`);
  }
}
