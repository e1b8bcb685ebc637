import { isMap, isSeq, LineCounter, type Node, parseDocument, stringify } from "yaml";
import type { LoadTestView } from "./types.ts";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** What is wrong with a test file: the message, the field (as the API names it) and the line (1-based) when known. */
export class TestFileProblem extends Error {
  override name = "TestFileProblem";
  constructor(
    message: string,
    readonly field?: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

/** What a new test starts from. */
export const NEW_TEST_TEMPLATE = `name: checkout
description: Browse the shop
tags: [shop]
targetUrl: http://127.0.0.1:3000
requests:
  - name: home
    method: GET
    path: /
defaultUsers: 10
defaultSpawnRate: 5
defaultDurationSec: 60
thresholds:
  latency: ["p(95) < 500"]
  error_rate: ["rate < 0.01"]
# run: { targetUsers: 20 }   # this run's overrides, as in \`loadline run\`
`;

/**
 * A test file (YAML, or JSON) as the API's body, the way `loadline run FILE` reads it: the object
 * is the load test; its optional `run` section holds a run's overrides. A data set naming a file
 * cannot be read here (the browser has no disk): it must be inline (`csv` or `rows`).
 */
export function parseTestFile(text: string): { spec: Json; overrides: Json } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const line = lines.linePos(first.pos[0]).line;
    throw new TestFileProblem(`line ${line}: ${first.message.split("\n")[0]}`, undefined, line);
  }
  const value: unknown = doc.toJS();
  if (!isObject(value)) throw new TestFileProblem("a test file holds one object (name, targetUrl, requests or scenarios…)", undefined, 1);
  const { run, ...spec } = value;
  if (run !== undefined && !isObject(run)) throw new TestFileProblem("run must be an object of overrides", "run", lineOfField(text, "run"));
  if (Array.isArray(spec.scenarios)) {
    spec.scenarios.forEach((scenario: unknown, i: number) => {
      if (isObject(scenario) && isObject(scenario.data) && scenario.data.file !== undefined) {
        const field = `scenarios.${i}.data.file`;
        throw new TestFileProblem(
          `${field}: the console cannot read files; give the data inline (csv: or rows:)`,
          field,
          lineOfField(text, field),
        );
      }
    });
  }
  return { spec, overrides: run ?? {} };
}

/**
 * The line (1-based) of a field the API named (`requests.0.path`, `thresholds.latency`): the
 * deepest part of it the text has, so a missing field points at its parent.
 */
export function lineOfField(text: string, field: string): number {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (const part of field.split(".")) {
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        const key = p.key as { value?: unknown } | null;
        return key !== null && typeof key === "object" && String(key.value) === part;
      });
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && /^\d+$/.test(part)) {
      const item = node.items[Number(part)] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return lines.linePos(offset).line;
}

const SHOWN_FIELDS = [
  "name",
  "description",
  "tags",
  "targetUrl",
  "requests",
  "scenarios",
  "workload",
  "defaultUsers",
  "defaultSpawnRate",
  "defaultDurationSec",
  "maxDurationSec",
  "thresholds",
  // A save replaces the whole test: what the editor leaves out would be cleared.
  "envId",
  "metadata",
] as const;

/** A stored test as the file it could be written from: its spec's fields, none of the resource's (id, version…). */
export function testFileOf(view: LoadTestView): string {
  const spec: Json = {};
  for (const key of SHOWN_FIELDS) {
    const v = view[key];
    if (v === null || v === undefined) continue;
    if (key === "description" && v === "") continue;
    if (key === "tags" && Array.isArray(v) && v.length === 0) continue;
    spec[key] = v;
  }
  return stringify(spec, { lineWidth: 0 });
}

/** A run's overrides from the start form: only the fields given, as numbers. */
export function overridesOf(form: { targetUsers?: string; spawnRate?: string; durationSec?: string }): Json {
  const out: Json = {};
  for (const key of ["targetUsers", "spawnRate", "durationSec"] as const) {
    const raw = form[key]?.trim();
    if (!raw) continue;
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new TestFileProblem(`${key}: must be a number`, key);
    out[key] = n;
  }
  return out;
}
