import { isDeepStrictEqual } from "node:util";
import { type Check, compileRegex, jsonPathValues } from "@loadline/core";
import { headerValues, type ResponseView } from "./response-view.ts";

/** A check ready to run against a response: true when it passes. */
export type CompiledCheck = (r: ResponseView) => boolean;

export function compileCheck(check: Check): CompiledCheck {
  switch (check.type) {
    case "status": {
      const allowed = new Set(check.in);
      return (r) => allowed.has(r.response.status);
    }
    case "jsonPath": {
      const { path, equals } = check;
      // With neither `exists` nor `equals`, the check asks that the path select something.
      const exists = check.exists ?? (equals === undefined ? true : undefined);
      return (r) => {
        const values = jsonPathValues(path, r.json());
        if (exists !== undefined && values.length > 0 !== exists) return false;
        return equals === undefined || (values.length > 0 && isDeepStrictEqual(values[0], equals));
      };
    }
    case "bodyContains": {
      const { value } = check;
      return (r) => r.response.body.includes(value);
    }
    case "header": {
      const name = check.name.toLowerCase();
      // RE2, not RegExp: a user's pattern must not backtrack for ever on a value (see core's regex.ts).
      const pattern = compileRegex(check.matches);
      // Several values (set-cookie): the check passes when one of them matches.
      return (r) => headerValues(r.header(name)).some((v) => pattern.test(v));
    }
    case "latency": {
      const { belowMs } = check;
      return (r) => r.latencyMs < belowMs;
    }
  }
}
