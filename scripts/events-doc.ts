import { mkdirSync, writeFileSync } from "node:fs";
import { eventAsyncApi, eventCatalogMarkdown, eventJsonSchemas } from "@loadline/core";
import { stringify } from "yaml";

writeFileSync(new URL("../docs/events.md", import.meta.url), eventCatalogMarkdown());
// Without anchors: the document repeats the envelope's headers in every message; readers expect them spelled out.
writeFileSync(
  new URL("../docs/asyncapi.yaml", import.meta.url),
  stringify(eventAsyncApi(), { aliasDuplicateObjects: false, lineWidth: 0 }),
);
const dir = new URL("../docs/schemas/events/", import.meta.url);
mkdirSync(dir, { recursive: true });
const schemas = Object.entries(eventJsonSchemas());
for (const [type, schema] of schemas) writeFileSync(new URL(`${type}.json`, dir), `${JSON.stringify(schema, null, 2)}\n`);
console.log(`docs/events.md, docs/asyncapi.yaml and docs/schemas/events/ (${schemas.length} schemas) written`);
