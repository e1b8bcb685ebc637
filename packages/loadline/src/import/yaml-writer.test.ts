import { substituteEnv } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { ImportResult } from "./draft.ts";
import { toYaml } from "./yaml-writer.ts";

const result = (body: string): ImportResult =>
  ({
    test: { name: "t", targetUrl: "http://127.0.0.1:3000", requests: [{ name: "post", method: "POST", path: "/x", body }] },
    notes: { source: "a test", imported: [], leftOut: [], secrets: [] },
  }) as unknown as ImportResult;

describe("toYaml", () => {
  it("keeps a recorded ${...} as data: escaped in the file, the recorded text once a run fills its parameters", () => {
    const recorded = '{"template":"${price} and $${literal}"}';
    const file = parse(toYaml(result(recorded))) as { requests: { body: string }[] };
    expect(file.requests[0]!.body).toBe('{"template":"$${price} and $$${literal}"}');
    expect(substituteEnv(file.requests[0]!.body, {})).toBe(recorded);
  });
});
