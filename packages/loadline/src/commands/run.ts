import { ApiError } from "../client.ts";
import { loadTestFile, TestFileError } from "../load-test-file.ts";
import { runAndReport } from "../run-and-report.ts";
import { type CommandContext, withApi } from "./context.ts";

/**
 * Runs a test file against the configured API (`--api` or LOADLINE_URL), else against an
 * embedded stack. Exit code: 0 when the run completed, 1 when it failed or was cancelled,
 * 2 when the file or the test was refused.
 */
export async function run(ctx: CommandContext, file: string, apiUrl: string | undefined): Promise<number> {
  let loaded: ReturnType<typeof loadTestFile>;
  try {
    loaded = loadTestFile(file);
  } catch (e) {
    if (e instanceof TestFileError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  const { spec, overrides } = loaded;
  return withApi(ctx, apiUrl, async (api) => {
    try {
      const test = await api.createLoadTest(spec as never);
      console.log(`Test ${test.name} (${test.id}): starting a run...`);
      const { run } = await runAndReport(api, test.id, overrides, 7 * 24 * 3600 * 1000);
      return run.status === "Completed" ? 0 : 1;
    } catch (e) {
      if (e instanceof ApiError && e.status >= 400 && e.status < 500) {
        const body = e.body as { error?: { message?: string; field?: string } } | null;
        console.error(`${file}: refused: ${body?.error?.message ?? JSON.stringify(e.body)}`);
        return 2;
      }
      throw e;
    }
  });
}
