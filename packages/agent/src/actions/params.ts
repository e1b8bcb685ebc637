import type { ActionParams } from "@loadline/core";
import type { ParamSpec } from "../config/schema.ts";

/**
 * Checks a request's parameters against the action's specs: every one known, of its type and
 * within its limits, every required one given. Returns why not (naming the parameter), or null.
 */
export function paramsRefusal(specs: Readonly<Record<string, ParamSpec>>, params: ActionParams): string | null {
  for (const name of Object.keys(params)) {
    if (!Object.hasOwn(specs, name)) return `unknown parameter ${name}`;
  }
  for (const [name, spec] of Object.entries(specs)) {
    const value = params[name];
    if (value === undefined) {
      if (spec.required) return `parameter ${name} is required`;
      continue;
    }
    const why = valueRefusal(spec, value);
    if (why) return `parameter ${name} ${why}`;
  }
  return null;
}

function valueRefusal(spec: ParamSpec, value: string | number | boolean): string | null {
  switch (spec.type) {
    case "string":
      if (typeof value !== "string") return `must be a string, not ${typeof value}`;
      // A NUL cannot be in an argv element; control characters have no place in one either.
      if (hasControlCharacter(value)) return "may not hold control characters";
      if (spec.maxLength !== undefined && value.length > spec.maxLength) return `is longer than ${spec.maxLength} characters`;
      // The pattern must match the whole value, not only a part of it.
      if (spec.pattern !== undefined) return new RegExp(`^(?:${spec.pattern})$`).test(value) ? null : `does not match ${spec.pattern}`;
      // Without a pattern, a value the program could take for an option of its own (`--upload-pack=...`) is refused:
      // a whole argv element is the value as given. A pattern that allows a leading dash says it is meant.
      if (value.startsWith("-")) return "may not begin with - (give the parameter a pattern that allows it)";
      return null;
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) return `must be a number, not ${typeof value}`;
      if (spec.integer && !Number.isInteger(value)) return "must be an integer";
      if (spec.min !== undefined && value < spec.min) return `must be at least ${spec.min}`;
      if (spec.max !== undefined && value > spec.max) return `must be at most ${spec.max}`;
      return null;
    case "boolean":
      return typeof value === "boolean" ? null : `must be a boolean, not ${typeof value}`;
    case "enum":
      if (typeof value !== "string") return `must be one of ${spec.values.join(", ")}, not a ${typeof value}`;
      return spec.values.includes(value) ? null : `must be one of ${spec.values.join(", ")}`;
  }
}

const hasControlCharacter = (value: string): boolean => {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
};
