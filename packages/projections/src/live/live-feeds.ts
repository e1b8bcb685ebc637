import type { Namespace, NatsConnection } from "@loadline/nats";
import type { Logger } from "@loadline/service";
import { jetstreamManager } from "@nats-io/jetstream";
import { Gauge, type Registry } from "prom-client";
import type { Db } from "../database.ts";
import type { PgReadModel } from "../read-model.ts";
import { LiveHub } from "./live-hub.ts";
import { LiveQueries } from "./live-queries.ts";

export type LiveFeeds = { hub: LiveHub; queries: LiveQueries };

/** The live push of an API process, over its read model; `hub.close()` ends every stream (before the server closes). */
export function liveFeeds(opts: {
  db: Db;
  readModel: PgReadModel;
  nc: NatsConnection;
  ns: Namespace;
  log: Logger;
  /** Where `loadline_live_clients` is registered. */
  registry?: Registry;
  pollMs?: number;
}): LiveFeeds {
  const queries = new LiveQueries(opts.db, opts.readModel);
  const metricsHead = async () => (await (await jetstreamManager(opts.nc)).streams.info(opts.ns.streams.metrics)).state.last_seq;
  const hub = new LiveHub(queries, { metricsHead, log: opts.log, ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}) });
  new Gauge({
    name: "loadline_live_clients",
    help: "Clients of the live streams (SSE) of this API process",
    registers: opts.registry ? [opts.registry] : [],
    collect() {
      this.set(hub.clientCount());
    },
  });
  return { hub, queries };
}
