import { compileRegex, type Extract, jsonPathValues } from "@loadline/core";
import { headerValues, type ResponseView } from "./response-view.ts";
import type { VariableTable } from "./variables.ts";

/** An extraction ready to run: the slot it fills and how to read the value (undefined when nothing is found). */
export type CompiledExtraction = { readonly slot: number; readonly read: (r: ResponseView) => string | undefined };

export function compileExtraction(extract: Extract, table: VariableTable): CompiledExtraction {
  const slot = table.slot(extract.var);
  switch (extract.type) {
    case "jsonPath": {
      const { path } = extract;
      return {
        slot,
        read: (r) => {
          const values = jsonPathValues(path, r.json());
          if (values.length === 0) return undefined;
          const first = values[0];
          return typeof first === "string" ? first : JSON.stringify(first);
        },
      };
    }
    case "regex": {
      // RE2, not RegExp: a user's pattern must not backtrack for ever on a body (see core's regex.ts).
      const pattern = compileRegex(extract.pattern);
      const group = extract.group ?? 1;
      return { slot, read: (r) => pattern.group(r.response.body, group) };
    }
    case "header": {
      const name = extract.name.toLowerCase();
      return { slot, read: (r) => headerValues(r.header(name))[0] };
    }
  }
}
