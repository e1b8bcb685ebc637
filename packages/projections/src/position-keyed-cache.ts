import { type CachedAnswer, type ResponseCache, strongEtag } from "./response-cache.ts";

/**
 * Where each projection is, as a token per projection: its checkpoint's position and the time
 * its row was last written (see PgReadModel.positions). Equal tokens, equal read model.
 */
export type Positions = { events: string; metrics: string };

/** The projections an answer is made of: load tests of the events' tables only; runs of both (lastMetrics). */
export type Sources = "events" | "events+metrics";

const positionsOf = (p: Positions, on: Sources): string => (on === "events" ? p.events : `${p.events} ${p.metrics}`);

/**
 * Answers of the read model kept for as long as the projections they are made of stay where they
 * were. Every read-model row is written in the transaction that moves its projection's checkpoint
 * (a rebuild's swap too, which rewrites the row's time even at the same position), so an answer
 * computed after reading positions P is valid for every request that reads P again. The positions
 * are read on every request, before the answer is looked up: a GET right after a write (minSeq)
 * sees the write. The answer's queries run after that read, so what is stored under P is the read
 * model at P or later, never earlier: a later request reading P (no commit between) may be given it.
 *
 * Concurrent requests missing the same answer at the same positions share one computation.
 */
export class PositionKeyedCache {
  private readonly computing = new Map<string, Promise<CachedAnswer>>();

  constructor(
    /** Shared with the settled runs' answers: one budget of memory. */
    private readonly answers: ResponseCache,
    /** Both projections' tokens, by one query. */
    private readonly positions: () => Promise<Positions>,
  ) {}

  /**
   * The answer under `key` (which must name the tenant, the route and everything of the query the
   * answer depends on) as of the projections' positions now: from the cache when it was computed
   * at these positions, else `compute`d (its JSON text, and its ETag when not strongEtag's of
   * the text) and stored. What `compute` throws (a 404, say) is thrown to every caller waiting on
   * it and not kept.
   */
  async answer(key: string, on: Sources, compute: () => Promise<{ body: string; etag?: string }>): Promise<CachedAnswer> {
    const at = positionsOf(await this.positions(), on);
    const hit = this.answers.get(key);
    if (hit?.at === at) return hit;
    const flight = `${key}\n${at}`;
    let pending = this.computing.get(flight);
    if (!pending) {
      pending = compute().then(({ body, etag }) => {
        const answer = { body, etag: etag ?? strongEtag(body), at };
        this.answers.set(key, answer);
        return answer;
      });
      this.computing.set(flight, pending);
      // Settled either way: a failure is the callers' (each rethrows it), and the next request computes again.
      pending.then(
        () => this.computing.delete(flight),
        () => this.computing.delete(flight),
      );
    }
    return pending;
  }
}
