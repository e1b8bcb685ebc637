import type { OpenApiDocument } from "@loadline/service";
import openapiTS, { astToString } from "openapi-typescript";

const HEADER = `/**
 * The API's types for openapi-fetch (\`createClient<paths>()\`), generated from docs/openapi.json by
 * openapi-typescript: do not edit; \`npm run docs:openapi\` writes it again.
 */

`;

/** The TypeScript types of `document`'s paths and schemas, as packages/loadline/src/generated/api.d.ts holds them. */
export async function apiClientTypes(document: OpenApiDocument): Promise<string> {
  // A copy: openapi-typescript resolves $refs in place. defaultNonNullable off: a field with a default may be left out of a request.
  const nodes = await openapiTS(structuredClone(document) as never, { alphabetize: false, defaultNonNullable: false });
  return HEADER + astToString(nodes);
}
