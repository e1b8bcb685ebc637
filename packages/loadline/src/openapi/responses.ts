import type { ResponseDoc } from "@loadline/service";
import type { z } from "zod";
import { acceptedSchema } from "./view-schemas.ts";

/** A JSON answer. */
export const json = (description: string, schema: z.ZodType, headers?: ResponseDoc["headers"]): ResponseDoc => ({
  description,
  schema,
  ...(headers ? { headers } : {}),
});

/** What a write's answer carries: the stream sequence of its last event (`minSeq=` waits for it). */
export const EVENT_SEQ = { "X-Event-Seq": "The stream sequence of the write's last event." } as const;

/** A write's 202: its command was accepted, its events not projected within 5 s. */
export const ACCEPTED: ResponseDoc = json("Accepted, not yet projected: a GET may not show it yet (`minSeq=seq` waits).", acceptedSchema);

export const NO_CONTENT: ResponseDoc = { description: "Done.", headers: EVENT_SEQ };

/** If-Match on writes of versioned resources. */
export const IF_MATCH = {
  "If-Match": 'The version last seen (`"3"`): the write is refused with a 412 when it is no longer current.',
} as const;
export const PRECONDITION_FAILED: ResponseDoc = { description: "If-Match names a version that is no longer current." };

/** A list route's 404: the resource its path names. */
export const NOT_FOUND = (what: string): ResponseDoc => ({ description: `No such ${what} for the caller's tenant.` });

/** A command the resource's state refuses (a run that has ended, a name taken). */
export const CONFLICT = (when: string): ResponseDoc => ({ description: `Conflict: ${when}.` });
