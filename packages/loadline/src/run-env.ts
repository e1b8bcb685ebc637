import { readFileSync } from "node:fs";
import { ENV_NAME, EnvSubstitutionError, envReferences, type RunEnv, runFieldsOf, substituteEnv } from "@loadline/core";

/**
 * `loadline run FILE --env K=V --env-file .env [--env-from-process]`: the values of the file's
 * env placeholders (`${NAME}`, `${NAME:-default}`, `{{env.NAME}}`). The file is stored with its
 * placeholders; the run carries the values (its `env`), and the API fills them when it starts the
 * run. Only the names the file uses are sent: an .env file or a CI shell holds more than a test
 * needs (secrets among it), and the run records its env in clear.
 */
export class RunEnvError extends Error {
  override name = "RunEnvError";
}

export type EnvSources = {
  /** `--env KEY=VALUE`, in order: the last one of a name wins. */
  readonly args?: readonly string[] | undefined;
  /** `--env-file FILE`: KEY=VALUE lines. */
  readonly envFile?: string | undefined;
  /** `--env-from-process`: the process's environment, read only for the names the file uses. */
  readonly processEnv?: Readonly<Record<string, string | undefined>> | undefined;
};

function entry(text: string, where: string): [string, string] {
  const at = text.indexOf("=");
  const name = (at < 0 ? text : text.slice(0, at)).trim();
  if (at < 0 || !ENV_NAME.test(name))
    throw new RunEnvError(`${where}: expected NAME=value, NAME being A-Z, 0-9 and _, not starting with a digit (got ${text})`);
  return [name, text.slice(at + 1)];
}

/** A dotenv file's entries: `NAME=value` lines, `export ` before them allowed, `#` comments, values in '' or "" kept as written. */
export function parseEnvFile(text: string, path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const [name, value] = entry(line.replace(/^export\s+/, ""), `${path}:${i + 1}`);
    const trimmed = value.trim();
    const quoted = /^(['"])([\s\S]*)\1$/.exec(trimmed);
    env[name] = quoted ? quoted[2]! : trimmed;
  }
  return env;
}

/**
 * The run's env for a test file: for each name its spec (or its `run:` section) uses, the value
 * from --env, else --env-file, else the file's own `run: { env: {...} }`, else the process (when
 * allowed). Refuses a name not set that has no default, naming the field
 * (`scenarios.0.steps.2.headers.Authorization: ${API_TOKEN} is not set`).
 */
export function runEnvOf(spec: object, overrides: Readonly<Record<string, unknown>>, sources: EnvSources): RunEnv | undefined {
  const { env: fileEnv, ...runOverrides } = overrides;
  const given: Record<string, string> = {};
  if (fileEnv !== undefined) {
    if (typeof fileEnv !== "object" || fileEnv === null || Object.values(fileEnv).some((v) => typeof v !== "string"))
      throw new RunEnvError("run.env: must map names to string values");
    Object.assign(given, fileEnv);
  }
  if (sources.envFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(sources.envFile, "utf8");
    } catch (e) {
      throw new RunEnvError(`--env-file ${sources.envFile}: ${(e as Error).message}`);
    }
    Object.assign(given, parseEnvFile(text, sources.envFile));
  }
  for (const arg of sources.args ?? []) {
    const [name, value] = entry(arg, "--env");
    given[name] = value;
  }
  const fields = { ...runFieldsOf(spec), run: runOverrides };
  const env: Record<string, string> = {};
  for (const { name } of envReferences(fields)) {
    const value = Object.hasOwn(given, name) ? given[name] : sources.processEnv?.[name];
    if (value !== undefined) env[name] = value;
  }
  try {
    substituteEnv(fields, env);
  } catch (e) {
    if (e instanceof EnvSubstitutionError) throw new RunEnvError(e.message);
    throw e;
  }
  return Object.keys(env).length > 0 ? env : undefined;
}
