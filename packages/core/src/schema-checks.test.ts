import { describe, expect, it } from "vitest";
import { z } from "zod";
import { eventCatalog } from "./envelope.ts";
import { onlyChecks } from "./schema-checks.ts";

describe("onlyChecks", () => {
  it("holds for schemas that only check", () => {
    const s = z.object({
      a: z.string().min(1),
      b: z.number().int().nonnegative().optional(),
      c: z.array(z.union([z.literal("x"), z.enum(["y", "z"])])),
      d: z.record(z.string(), z.boolean()).nullable(),
    });
    expect(onlyChecks(s)).toBe(true);
    expect(onlyChecks(eventCatalog["metrics.window"])).toBe(true);
    expect(onlyChecks(eventCatalog["run.started"])).toBe(true);
  });

  it("fails for anything that may change the value, however deep", () => {
    expect(onlyChecks(z.object({ a: z.array(z.object({ b: z.string().trim() })) }))).toBe(false);
    expect(onlyChecks(z.object({ a: z.string().toUpperCase() }))).toBe(false);
    expect(onlyChecks(z.object({ a: z.array(z.string()).default([]) }))).toBe(false);
    expect(onlyChecks(z.object({ a: z.string().transform((s) => s.length) }))).toBe(false);
    expect(onlyChecks(z.object({ a: z.coerce.number() }))).toBe(false);
    expect(onlyChecks(eventCatalog["load-test.created"])).toBe(false);
  });
});
