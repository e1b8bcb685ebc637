import type { Namespace, NatsConnection } from "@loadline/nats";
import { jetstreamManager } from "@nats-io/jetstream";
import { count, eq } from "drizzle-orm";
import { readCheckpoint } from "./checkpoints.ts";
import type { Db } from "./database.ts";
import { EVENTS_PROJECTION } from "./events-projection.ts";
import { METRICS_PROJECTION } from "./metrics-projection.ts";
import { projectionDeadLetters } from "./schema.ts";

/** How far a projection is: its checkpoint, its stream's last sequence, the lag between them, its dead letters. */
export type ProjectionStatus = {
  name: string;
  stream: string;
  checkpoint: number;
  streamLastSeq: number;
  lag: number;
  deadLetters: number;
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
        const [checkpoint, info, letters] = await Promise.all([
          readCheckpoint(this.db, name),
          jsm.streams.info(stream),
          this.db.select({ n: count() }).from(projectionDeadLetters).where(eq(projectionDeadLetters.projection, name)),
        ]);
        const streamLastSeq = info.state.last_seq;
        return { name, stream, checkpoint, streamLastSeq, lag: Math.max(0, streamLastSeq - checkpoint), deadLetters: letters[0]?.n ?? 0 };
      }),
    );
  }
}
