import { startStack } from "../stack.ts";
import { type CommandContext, stackOptions } from "./context.ts";

/** The embedded stack until Ctrl-C. */
export async function up(ctx: CommandContext): Promise<void> {
  const stack = await startStack(stackOptions(ctx));
  console.log(
    `Loadline is up: API ${stack.apiUrl}, NATS ${stack.natsUrl}, demo target ${stack.demoTarget?.url ?? "off"}. Ctrl-C stops it.`,
  );
  if (stack.demoTarget?.h2Url) console.log(`demo target h2 ${stack.demoTarget.h2Url} (self-signed: trust it with http.tls)`);
  if (stack.demoTarget?.grpcUrl) console.log(`demo target grpc ${stack.demoTarget.grpcUrl} (examples/demo.proto)`);
  // Where the key is, never the key: a terminal's scrollback and CI logs keep what is printed.
  console.log(`The platform admin's API key is in ${stack.adminKeyFile} (send it as Authorization: Bearer <key>; the CLI reads it there).`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log("stopping...");
    void stack.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
