// The all-in-one stack (startStack: NATS client, projections, orchestrator, a worker, the demo
// target and the API with its live push) in a process of its own, for the live section: its
// clients must not share its CPU. Runs against the NATS and Postgres it is given, in the namespace
// and database the harness made (the harness deletes both). Prints
// `{"apiUrl","adminKey","databaseUrl","targetUrl","pid"}` as one line on stdout once it answers,
// and stops on SIGTERM or when stdin closes (the harness gone).
// Usage: node --import tsx bench/live/live-stack.ts <natsUrl> <namespace> <databaseUrl>
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, loadAuthConfig } from "@loadline/service";
import { startStack } from "loadline";

const [natsUrl, namespace, databaseUrl] = process.argv.slice(2);
if (!natsUrl || !namespace || !databaseUrl) {
  process.stderr.write("usage: live-stack.ts <natsUrl> <namespace> <databaseUrl>\n");
  process.exit(64);
}

const dataDir = mkdtempSync(join(tmpdir(), "loadline-bench-live-"));
const stack = await startStack({
  dataDir,
  natsUrl,
  databaseUrl,
  namespace,
  port: 0,
  demoTarget: true,
  // Every client of the section holds the admin key: the per-credential rate limit (burst 200) would refuse the 201st stream.
  auth: loadAuthConfig({ LL_RATE_LIMIT_PER_SEC: "1000000", LL_RATE_LIMIT_BURST: "1000000" }),
  log: createLogger("bench-live-stack", process.env.LIVE_STACK_LOG ?? "warn"),
});

let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  const hard = setTimeout(() => process.exit(code), 10_000);
  hard.unref();
  await stack.stop().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(code);
};
process.on("SIGTERM", () => void stop(0));
process.on("SIGINT", () => void stop(0));
process.stdin.on("close", () => void stop(0));
process.stdin.resume();

process.stdout.write(
  `${JSON.stringify({ apiUrl: stack.apiUrl, adminKey: stack.adminKey, databaseUrl, targetUrl: stack.demoTarget!.url, pid: process.pid })}\n`,
);
