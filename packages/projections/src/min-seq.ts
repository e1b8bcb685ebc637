import type { ReadModel } from "@loadline/core";
import { HttpError } from "@loadline/service";
import type { MiddlewareHandler } from "hono";
import { z } from "zod";

const MIN_SEQ_WAIT_MS = 5_000;
const minSeqSchema = z.coerce.number().int().nonnegative();

/**
 * Read-your-writes across requests: a query given minSeq (or X-Min-Seq) waits until the events
 * projection has applied that stream sequence, which every write answers with; 503 with
 * Retry-After when it has not within 5 s.
 */
export function minSeqWait(readModel: Pick<ReadModel, "waitForEvents">): MiddlewareHandler {
  return async (c, next) => {
    const raw = c.req.query("minSeq") ?? c.req.header("x-min-seq");
    if (c.req.method === "GET" && raw !== undefined) {
      const parsed = minSeqSchema.safeParse(raw);
      if (!parsed.success) throw new HttpError(400, "invalid_request", "minSeq must be a stream sequence (a whole number >= 0)", "minSeq");
      if (!(await readModel.waitForEvents(parsed.data, MIN_SEQ_WAIT_MS))) {
        c.header("Retry-After", "1");
        throw new HttpError(503, "not_yet_projected", `the read model has not reached sequence ${parsed.data} yet`, "minSeq");
      }
    }
    await next();
  };
}
