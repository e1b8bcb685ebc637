import { writeFileSync } from "node:fs";
import { eventCatalogMarkdown } from "@loadline/core";

writeFileSync(new URL("../docs/events.md", import.meta.url), eventCatalogMarkdown());
console.log("docs/events.md written");
