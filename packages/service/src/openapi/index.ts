/** The API's OpenAPI 3.1 contract, made from the zod schemas its routes validate with, and its reference page. */

export { openApiRoutes } from "./docs-routes.ts";
export { type OpenApiDocument, type OpenApiOptions, openApiDocument } from "./document.ts";
export { errorBodySchema } from "./error-responses.ts";
export type { JsonSchema } from "./json-schema.ts";
export type { ResponseDoc, RouteCatalog, RouteDoc } from "./route-doc.ts";
