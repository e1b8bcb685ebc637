import { runExitCode } from "../exit-codes.ts";
import { runAndReport } from "../run-and-report.ts";
import { type CommandContext, withApi } from "./context.ts";

/** The embedded stack, a test of the demo target's endpoints, the summary; exits as `run` does (0 when the run completed whole). */
export async function demo(ctx: CommandContext, users: number, duration: number): Promise<number> {
  return withApi(ctx, undefined, async (api, stack) => {
    const target = stack!.demoTarget!;
    console.log(`API ${stack!.apiUrl}, demo target ${target.url}. Running ${users} users for ${duration} s...`);
    const test = await api.createLoadTest({
      name: "demo",
      description: "the demo target's fixed, random and flaky endpoints",
      targetUrl: target.url,
      requests: [
        { name: "fixed 20ms", method: "GET", path: "/fixed?ms=20" },
        { name: "random 5-50ms", method: "GET", path: "/random?min=5&max=50" },
        { name: "flaky 5%", method: "GET", path: "/error?rate=0.05&ms=5" },
      ],
      defaultUsers: users,
      defaultSpawnRate: Math.max(1, users / 2),
      defaultDurationSec: duration,
    });
    const { run, total } = await runAndReport(api, test.id, {}, (duration + 60) * 1000);
    console.log(`\nThe target received ${target.total()} requests; the run counted ${total.requests}.`);
    return runExitCode(run);
  });
}
