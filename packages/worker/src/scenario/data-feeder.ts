import type { DataSet } from "@loadline/core";
import type { Random } from "./think-time.ts";

export type DataRow = Readonly<Record<string, string>>;

/**
 * A scenario's data rows as its VUs take them, one feeder per scenario per thread:
 * - sequential: a cursor shared by the thread's VUs, one row per iteration, wrapping;
 * - random: a random row per iteration;
 * - unique: VU id i keeps row i mod n for its whole life (with more VUs than rows they wrap).
 * Each thread keeps its own cursor, so sequential rows are shared out per thread, not across threads.
 */
export class DataFeeder {
  readonly mode: DataSet["mode"];
  /** The columns bound as variables: those of the first row, as validation knows them. */
  readonly columns: readonly string[];
  private readonly rows: readonly DataRow[];
  private cursor = 0;

  constructor(
    data: DataSet,
    private readonly random: Random = Math.random,
  ) {
    this.mode = data.mode;
    this.rows = data.rows;
    this.columns = Object.keys(data.rows[0] ?? {});
  }

  get size(): number {
    return this.rows.length;
  }

  /** The row a VU's next iteration binds. */
  next(vuId: number): DataRow {
    const n = this.rows.length;
    switch (this.mode) {
      case "sequential": {
        const row = this.rows[this.cursor]!;
        this.cursor = (this.cursor + 1) % n;
        return row;
      }
      case "random":
        return this.rows[Math.min(n - 1, Math.floor(this.random() * n))]!;
      case "unique":
        return this.rows[((vuId % n) + n) % n]!;
    }
  }
}
