// `loadline events`: its subcommands are in events/ (tail, export, import), one file each.

import { namespace, natsAuthFromEnv, natsConnectionOptions } from "@loadline/nats";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { CommandContext } from "./context.ts";
import { exportCommand } from "./events/export.ts";
import { importCommand } from "./events/import.ts";
import { type EventsCliOptions, EventsCommandError, toStderr } from "./events/shared.ts";
import { tailCommand } from "./events/tail.ts";

/** The CLI connects itself rather than with connectNats: a command should fail at once when NATS does not answer, not wait for it. */
async function connectCli(ctx: CommandContext): Promise<NatsConnection> {
  try {
    return await connect({
      servers: ctx.config.natsUrl.split(","),
      name: "loadline-events",
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      // The operator's credentials (NATS_USER/NATS_PASSWORD, NATS_CREDS_FILE, TLS): only the operator may read every tenant's events.
      ...natsConnectionOptions(natsAuthFromEnv(process.env)),
    });
  } catch (e) {
    throw new EventsCommandError(1, `cannot connect to NATS at ${ctx.config.natsUrl}: ${(e as Error).message}`);
  }
}

/** `loadline events tail|export|import`: exit 0 when done, 1 when the environment refuses, 2 on bad usage or a bad file. */
export async function events(ctx: CommandContext, sub: string | undefined, opts: EventsCliOptions): Promise<number> {
  if (sub !== "tail" && sub !== "export" && sub !== "import") {
    toStderr(`events: unknown subcommand ${sub ?? "(none)"}: tail, export or import`);
    return 2;
  }
  let nc: NatsConnection | undefined;
  try {
    const ns = namespace(ctx.config.namespace);
    nc = await connectCli(ctx);
    if (sub === "export") return await exportCommand(nc, ns, opts);
    if (sub === "import") return await importCommand(ctx, nc, ns, opts);
    return await tailCommand(nc, ns, opts);
  } catch (e) {
    if (e instanceof EventsCommandError) {
      toStderr(e.message);
      return e.exitCode;
    }
    throw e;
  } finally {
    await nc?.drain().catch(() => undefined);
  }
}
