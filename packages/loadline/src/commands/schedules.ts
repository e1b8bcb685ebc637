import type { ScheduleView } from "@loadline/core";
import { ApiError, LoadlineClient, type NewSchedule } from "../client.ts";
import { type CommandContext, cliApiKey } from "./context.ts";

export type ScheduleOptions = {
  api?: string | undefined;
  test?: string | undefined;
  cron?: string | undefined;
  timezone?: string | undefined;
  missed?: string | undefined;
  overlap?: string | undefined;
  json?: boolean | undefined;
};

/** One line a schedule: what a terminal shows of it. */
function line(s: ScheduleView): string {
  const next = s.nextFireTimes[0] ?? (s.enabled ? "never" : "disabled");
  return [s.id, s.loadTestId, JSON.stringify(s.cron), s.timezone, next, s.lastRunId ?? "-", s.lastError ?? ""].join("  ").trimEnd();
}

/**
 * `loadline schedules list [--test ID]`, `create <loadTestId> --cron C [--timezone Z] [--missed P]
 * [--overlap P]`, `delete <id>`, against the API at --api (or LOADLINE_URL): a schedule fires from
 * the orchestrator of that deployment, so there is no embedded stack for it. Exit codes: 0 done,
 * 1 the API refused (its message printed), 2 bad usage.
 */
export async function schedules(
  ctx: CommandContext,
  action: string | undefined,
  arg: string | undefined,
  o: ScheduleOptions,
): Promise<number> {
  if (!o.api) {
    console.error("loadline schedules: give --api URL (or LOADLINE_URL): schedules fire in a running deployment");
    return 2;
  }
  const api = new LoadlineClient(o.api, cliApiKey(ctx));
  try {
    if (action === "list") {
      const { items } = await api.schedules(o.test);
      console.log(o.json ? JSON.stringify({ items }) : items.map(line).join("\n") || "no schedules");
      return 0;
    }
    if (action === "create" && arg && o.cron) {
      const schedule: NewSchedule = {
        cron: o.cron,
        ...(o.timezone ? { timezone: o.timezone } : {}),
        ...(o.missed ? { missedFire: o.missed as NewSchedule["missedFire"] } : {}),
        ...(o.overlap ? { overlap: o.overlap as NewSchedule["overlap"] } : {}),
      };
      const created = await api.createSchedule(arg, schedule);
      console.log(o.json ? JSON.stringify(created) : `${line(created)}\nnext: ${created.nextFireTimes.join(", ")}`);
      return 0;
    }
    if (action === "delete" && arg) {
      await api.deleteSchedule(arg);
      console.log(`schedule ${arg} deleted`);
      return 0;
    }
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const { error } = (err.body ?? {}) as { error?: { message?: string } };
    console.error(`loadline schedules ${action}: HTTP ${err.status}: ${error?.message ?? JSON.stringify(err.body)}`);
    return 1;
  }
  console.error("usage: loadline schedules list [--test ID] | create <loadTestId> --cron C [--timezone Z] | delete <id>");
  return 2;
}
