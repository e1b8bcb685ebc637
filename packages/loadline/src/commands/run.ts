import { ID_PATTERN } from "@loadline/service";
import { ApiError } from "../client.ts";
import { printComparison } from "../compare-summary.ts";
import { EXIT, runExitCode } from "../exit-codes.ts";
import { loadTestFile, TestFileError } from "../load-test-file.ts";
import { runAndReport } from "../run-and-report.ts";
import { type EnvSources, RunEnvError, runEnvOf } from "../run-env.ts";
import { type CommandContext, withApi } from "./context.ts";
import { formatOfFile, writeReport } from "./report.ts";

/**
 * Runs a test file against the configured API (`--api` or LOADLINE_URL), else against an
 * embedded stack. The file's test is the tenant's test of the file's name (updated from the
 * file), or a new one: its runs, baseline and comparisons carry from one run of the file to the next. Exit code: 0 when the run completed, 1 when it failed or was cancelled,
 * 2 when the file or the test was refused (an env placeholder not set among them), 3 when it completed degraded (see exit-codes.ts).
 * The file's env placeholders stay in the test; the run carries their values (run-env.ts).
 */
export async function run(
  ctx: CommandContext,
  file: string,
  apiUrl: string | undefined,
  reportFile?: string,
  /** `baseline` or a run's id: the comparison printed after the summary (never changes the exit code). */
  compareTo?: string,
  /** Where the values of the file's env placeholders come from (--env, --env-file, --env-from-process). */
  envSources: EnvSources = {},
): Promise<number> {
  if (compareTo !== undefined && !ID_PATTERN.test(compareTo)) {
    console.error(`--compare ${compareTo}: must be baseline or a run's id`);
    return EXIT.refused;
  }
  const reportFormat = reportFile === undefined ? undefined : formatOfFile(reportFile);
  if (reportFile !== undefined && !reportFormat) {
    console.error(`--report ${reportFile}: the extension names the format: .html, .json, .csv, .xml (JUnit) or .pdf`);
    return EXIT.refused;
  }
  let loaded: ReturnType<typeof loadTestFile>;
  let env: ReturnType<typeof runEnvOf>;
  try {
    loaded = loadTestFile(file);
    env = runEnvOf(loaded.spec, loaded.overrides, envSources);
  } catch (e) {
    if (e instanceof RunEnvError) {
      console.error(`${file}: ${e.message}`);
      return EXIT.refused;
    }
    if (e instanceof TestFileError) {
      console.error(e.message);
      return EXIT.refused;
    }
    throw e;
  }
  // The run's env is what runEnvOf made of every source: the file's own run.env is one of them.
  const {
    spec,
    overrides: { env: _fileEnv, ...overrides },
  } = loaded;
  return withApi(ctx, apiUrl, async (api) => {
    try {
      // A file is its test's source: run again, it updates the test of its name, whose runs and baseline it keeps.
      const existing = await api.loadTestNamed((spec as { name: string }).name);
      const test = existing ? await api.updateLoadTest(existing.id, spec as never) : await api.createLoadTest(spec as never);
      console.log(`Test ${test.name} (${test.id}${existing ? ", updated from the file" : ""}): starting a run...`);
      const { run } = await runAndReport(api, test.id, env ? { ...overrides, env } : overrides, 7 * 24 * 3600 * 1000);
      if (compareTo !== undefined) await printComparison(api, run.id, compareTo);
      // The report is a by-product: a report that could not be written is said, the run's exit code stays.
      if (reportFile && reportFormat)
        await writeReport(api, run.id, reportFormat, reportFile).then(
          () => console.log(`Report: ${reportFile}`),
          (err: unknown) => console.error(`--report ${reportFile}: ${(err as Error).message}`),
        );
      return runExitCode(run);
    } catch (e) {
      if (e instanceof ApiError && e.status >= 400 && e.status < 500) {
        const body = e.body as { error?: { message?: string; field?: string } } | null;
        console.error(`${file}: refused: ${body?.error?.message ?? JSON.stringify(e.body)}`);
        return EXIT.refused;
      }
      throw e;
    }
  });
}
