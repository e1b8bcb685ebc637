import { writeFileSync } from "node:fs";
import { apiDocument } from "../packages/loadline/src/openapi/api-document.ts";
import { apiClientTypes } from "../packages/loadline/src/openapi/client-types.ts";

// The contract as the API serves it at /openapi.json (with /metrics open, LL_METRICS_ACCESS's default), and the client's types of it.
const document = apiDocument();
writeFileSync(new URL("../docs/openapi.json", import.meta.url), `${JSON.stringify(document, null, 2)}\n`);
writeFileSync(new URL("../packages/loadline/src/generated/api.d.ts", import.meta.url), await apiClientTypes(document));
console.log(`docs/openapi.json (${Object.keys(document.paths).length} paths) and packages/loadline/src/generated/api.d.ts written`);
