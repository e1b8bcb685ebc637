import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RUN_TRANSITIONS } from "./run.ts";

/** The transitions docs/lifecycle.md draws, `A --> B` (start and end markers left out). */
function drawn(): string[] {
  const doc = readFileSync(new URL("../../../../docs/lifecycle.md", import.meta.url), "utf8");
  const diagram = /```mermaid\n([\s\S]*?)```/.exec(doc)?.[1] ?? "";
  return [...diagram.matchAll(/^\s*(\w+) --> (\w+)/gm)].map(([, from, to]) => `${from} --> ${to}`).filter((t) => !t.includes("[*]"));
}

describe("docs/lifecycle.md", () => {
  it("draws exactly the transitions the run decider allows", () => {
    const allowed = Object.entries(RUN_TRANSITIONS)
      .filter(([from]) => from !== "None")
      .flatMap(([from, tos]) => tos.map((to) => `${from} --> ${to}`));
    expect(drawn().sort()).toEqual(allowed.sort());
  });
});
