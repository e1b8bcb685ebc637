import { connectNats, ensureStreams, namespace, openWorkerBucket, streamOptionsOf } from "@loadline/nats";
import { liveFeeds, openDatabase, PgReadModel, ProjectionStatusReader } from "@loadline/projections";
import { createRegistry, keyringFromEnv, listen, loadAuthConfig, runUntilSignal, serviceAccess, startTracing } from "@loadline/service";
import { jetstreamManager } from "@nats-io/jetstream";
import { apiApp } from "../api.ts";
import { chromiumAvailable, PdfPrinter } from "../report-pdf.ts";
import type { CommandContext } from "./context.ts";

/** The REST API alone, for a deployment where every other service is a process of its own. */
export async function api({ config, log, port }: CommandContext): Promise<void> {
  if (!config.databaseUrl) {
    console.error("loadline api needs DATABASE_URL (the Postgres the projections write to)");
    process.exit(2);
  }
  const tracing = startTracing({ serviceName: "loadline-api" }); // off unless OTEL_EXPORTER_OTLP_*ENDPOINT is set
  const registry = createRegistry("api");
  const nc = await connectNats(config.natsUrl, "loadline-api", log);
  const ns = namespace(config.namespace);
  const streams = streamOptionsOf(config, nc);
  await ensureStreams(await jetstreamManager(nc), ns, streams);
  const database = await openDatabase({ url: config.databaseUrl });
  const readModel = new PgReadModel(database.db);
  // Read now, not at the first secret: a keyring misconfigured stops the API at its start, naming the variable.
  const keyring = keyringFromEnv();
  // PDF reports where Chromium is installed: launched now, so that the first report need not wait for it.
  const pdf = chromiumAvailable() ? new PdfPrinter() : null;
  pdf?.warm().catch((err: unknown) => log.warn({ err }, "Chromium did not start: PDF reports will try again"));
  const live = liveFeeds({ db: database.db, readModel, nc, ns, log, registry });
  // No projector in this process: read-your-writes polls the projections' checkpoint.
  const app = apiApp({
    nc,
    ns,
    readModel,
    db: database.db,
    workers: await openWorkerBucket(nc, ns, streams.replicas),
    status: new ProjectionStatusReader(database.db, nc, ns),
    log,
    registry,
    ready: () => !nc.isClosed(),
    maxBodyBytes: config.maxBodyBytes,
    access: serviceAccess(loadAuthConfig(), (keyId) => readModel.apiKeyById(keyId)),
    seal: (value) => keyring.seal(value),
    printPdf: pdf?.print,
    live,
  });
  const server = await listen(app, port, config.host, { allowedHosts: config.allowedHosts });
  log.info({ port: server.port }, "api ready");
  runUntilSignal(log, async () => {
    await live.hub.close(); // open streams end, so the server can close; clients resume elsewhere
    await server.close();
    await pdf?.close();
    await database.close();
    await nc.drain();
    await tracing.shutdown(); // the last spans flushed
  });
}
