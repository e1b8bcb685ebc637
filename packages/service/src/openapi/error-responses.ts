import { z } from "zod";
import type { ErrorBody } from "../http.ts";
import type { ResponseDoc } from "./route-doc.ts";

/** The body of every error answer (http.ts's ErrorBody), as one named component. */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: "What went wrong, for programs: invalid_request, not_found, conflict..." }),
      message: z.string().meta({ description: "The same, for people." }),
      field: z
        .string()
        .optional()
        .meta({ description: "What is at fault: a dotted path into the body, a parameter, a header, id, body, path." }),
    }),
  })
  .meta({ id: "Error", description: "Every error answer: a code, a sentence, and the field at fault when there is one." });

// The schema says what errorBody writes: tsc fails here when either changes alone.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _errorBodyIsTheAnswers: Same<z.infer<typeof errorBodySchema>, ErrorBody> = true;

/** The errors a route may answer by what it takes: a credential, a body, a query, an id in its path. */
export const ERRORS = {
  credential: {
    401: { description: "No credential, or one not accepted (`WWW-Authenticate: Bearer`)." },
    403: { description: "The credential's role is below the operation's `x-loadline-role`." },
    429: { description: "Too many requests from this credential: see `Retry-After`." },
  },
  body: {
    400: { description: "The body, or a parameter, was refused: `field` names it (`invalid_request`, `invalid_json`)." },
    413: { description: "The body is over the size limit (1 MiB by default)." },
    415: { description: "The body was not sent as `application/json`." },
  },
  query: { 400: { description: "A query parameter was refused: `field` names it." } },
  path: { 404: { description: "No such resource for the caller's tenant (`field: id`), or an id that cannot be one." } },
} satisfies Record<string, Record<number, ResponseDoc>>;
