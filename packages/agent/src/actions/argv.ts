import type { ActionParams } from "@loadline/core";
import { PLACEHOLDER } from "../config/schema.ts";

const WHOLE = /^\{\{\s*([a-z][a-z0-9-]{0,62})\s*\}\}$/;

/**
 * The argv to run: each `{{param}}` replaced by the parameter's value as plain text, inside its
 * own element only (a value with spaces stays one argument; nothing goes through a shell). An
 * element that is only the placeholder of an optional parameter not given is left out; inside
 * a longer element, a missing value is empty.
 */
export function buildArgv(command: readonly string[], params: ActionParams): string[] {
  const argv: string[] = [];
  for (const arg of command) {
    const whole = WHOLE.exec(arg);
    if (whole) {
      const value = params[whole[1]!];
      if (value !== undefined) argv.push(String(value));
      continue;
    }
    argv.push(
      arg.replace(PLACEHOLDER, (_, name: string) => {
        const value = params[name];
        return value === undefined ? "" : String(value);
      }),
    );
  }
  return argv;
}
