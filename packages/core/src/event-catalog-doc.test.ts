import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type EventType, eventCatalog } from "./envelope.ts";
import { eventCatalogMarkdown, eventJsonSchemas } from "./event-catalog-doc.ts";
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

  it("is published as one JSON Schema per event type, as the schemas say (regenerate with npm run docs:events)", () => {
    const dir = new URL("../../../docs/schemas/events/", import.meta.url);
    const schemas = eventJsonSchemas();
    expect(readdirSync(dir).sort()).toEqual(
      Object.keys(eventCatalog)
        .map((t) => `${t}.json`)
        .sort(),
    );
    for (const [type, schema] of Object.entries(schemas)) {
      expect(JSON.parse(readFileSync(new URL(`${type}.json`, dir), "utf8")), type).toEqual(schema);
      expect(schema).toMatchObject({ title: type, properties: { type: { const: type } } });
      expect((schema as { required: string[] }).required).toEqual(expect.arrayContaining(["id", "type", "tenantId", "aggregate", "data"]));
    }
  });
});
