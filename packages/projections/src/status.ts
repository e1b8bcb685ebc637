import type { Namespace, NatsConnection } from "@loadline/nats";
import { jetstreamManager } from "@nats-io/jetstream";
import { count, eq } from "drizzle-orm";
import type { Db } from "./database.ts";
import { EVENTS_PROJECTION } from "./events-projection.ts";
import { METRICS_PROJECTION } from "./metrics-projection.ts";
import { projectionCheckpoints, projectionDeadLetters } from "./schema.ts";

/**
 * How far a projection is: its checkpoint, its stream's last sequence, the lag between them, its
 * dead letters; and whether it advances: `retrying` while its batches fail (a transient failure,
 * retried and never skipped), with the last error and since when; `ok` otherwise.
 */
export type ProjectionStatus = {
  name: string;
  stream: string;
  checkpoint: number;
  streamLastSeq: number;
  lag: number;
  deadLetters: number;
  state: "ok" | "retrying";
  lastError: string | null;
  since: string | null;
};

/** Reads the status from the database and the streams: true whichever process runs the projectors. */
export class ProjectionStatusReader {
  constructor(
    private readonly db: Db,
    private readonly nc: NatsConnection,
    private readonly ns: Namespace,
  ) {}

  async list(): Promise<ProjectionStatus[]> {
    const jsm = await jetstreamManager(this.nc);
    const sources = [
      { name: EVENTS_PROJECTION, stream: this.ns.streams.events },
      { name: METRICS_PROJECTION, stream: this.ns.streams.metrics },
    ];
    return Promise.all(
      sources.map(async ({ name, stream }) => {
        const [[row], info, letters] = await Promise.all([
          this.db.select().from(projectionCheckpoints).where(eq(projectionCheckpoints.name, name)),
          jsm.streams.info(stream),
          this.db.select({ n: count() }).from(projectionDeadLetters).where(eq(projectionDeadLetters.projection, name)),
        ]);
        const checkpoint = row?.position ?? 0;
        const streamLastSeq = info.state.last_seq;
        return {
          name,
          stream,
          checkpoint,
          streamLastSeq,
          lag: Math.max(0, streamLastSeq - checkpoint),
          deadLetters: letters[0]?.n ?? 0,
          state: row?.failingSince ? "retrying" : "ok",
          lastError: row?.lastError ?? null,
          since: row?.failingSince?.toISOString() ?? null,
        };
      }),
    );
  }
}
