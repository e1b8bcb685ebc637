import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type EventType, eventCatalog } from "./envelope.ts";
import { eventCatalogMarkdown } from "./event-catalog-doc.ts";
import { eventExamples } from "./event-examples.ts";

describe("the event catalog", () => {
  it("has an example of every event that its schema accepts", () => {
    for (const type of Object.keys(eventCatalog) as EventType[]) {
      expect(eventCatalog[type].safeParse(eventExamples[type]).success, type).toBe(true);
    }
  });

  it("is documented as the schemas say (regenerate with npm run docs:events)", () => {
    const doc = readFileSync(new URL("../../../docs/events.md", import.meta.url), "utf8");
    expect(doc).toBe(eventCatalogMarkdown());
  });
});
