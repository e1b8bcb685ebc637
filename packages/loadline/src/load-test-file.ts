import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";

export class TestFileError extends Error {
  override name = "TestFileError";
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Reads a load test written as YAML or JSON (JSON is YAML). A scenario's data set may name a
 * file (`data: { file: users.csv }`, or a .json file of rows) relative to the test file: it is
 * read here and sent inline, so the API never reads the client's disk. The optional `run`
 * section holds this run's overrides (targetUsers, spawnRate, durationSec).
 */
export function loadTestFile(path: string): { spec: Json; overrides: Json } {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, "utf8"));
  } catch (e) {
    throw new TestFileError(`${path}: ${(e as Error).message}`);
  }
  if (!isObject(doc)) throw new TestFileError(`${path}: a load test file holds one object (name, targetUrl, scenarios…)`);
  const { run, ...spec } = doc;
  if (run !== undefined && !isObject(run)) throw new TestFileError(`${path}: run must be an object of overrides`);
  const base = dirname(resolve(path));
  if (Array.isArray(spec.scenarios)) {
    spec.scenarios = spec.scenarios.map((scenario: unknown, i: number) => {
      if (!isObject(scenario) || !isObject(scenario.data) || typeof scenario.data.file !== "string") return scenario;
      const { file, ...data } = scenario.data;
      const full = resolve(base, file);
      let text: string;
      try {
        text = readFileSync(full, "utf8");
      } catch {
        throw new TestFileError(`scenarios.${i}.data.file: cannot read ${full}`);
      }
      if (!full.endsWith(".json")) return { ...scenario, data: { ...data, csv: text } };
      try {
        return { ...scenario, data: { ...data, rows: JSON.parse(text) as unknown } };
      } catch (e) {
        throw new TestFileError(`scenarios.${i}.data.file: ${full} is not JSON: ${(e as Error).message}`);
      }
    });
  }
  return { spec, overrides: run ?? {} };
}
