import type { z } from "zod";

/** One answer of a route: what it means, and its body when it has one. */
export type ResponseDoc = {
  description: string;
  /** The JSON body. Absent: no body, or (at 4xx and 5xx) the shared error body. */
  schema?: z.ZodType;
  /** Bodies other than JSON, by media type (a report's formats, an event stream): null for bytes no schema describes. */
  content?: Readonly<Record<string, z.ZodType | null>>;
  /** Headers the answer carries: name → what it holds. */
  headers?: Readonly<Record<string, string>>;
};

/**
 * A route as the API's contract shows it, given the very zod schemas the route validates with:
 * its query and body are documented as its `parseWith`/`query` calls check them (io: "input").
 */
export type RouteDoc = {
  summary: string;
  description?: string;
  tags: readonly string[];
  /** Path parameters that are not ids: `:id` and `:tenant` are ID_PATTERN tokens unless given here. */
  params?: Readonly<Record<string, z.ZodType>>;
  /** The query string's schema (an object: each property is a parameter). */
  query?: z.ZodType;
  /** Request headers the route reads: name → what it means (If-Match, Last-Event-ID). */
  headers?: Readonly<Record<string, string>>;
  /** The JSON body's schema. */
  body?: z.ZodType;
  /** The body may be left out altogether (read as `{}`). */
  bodyOptional?: boolean;
  /** By status; the errors every route of its kind may answer (401, 403, 429, 400...) are added. */
  responses: Readonly<Record<number, ResponseDoc>>;
};

/** Routes by `METHOD /path`, the path as Hono declares it (`/v1/runs/:id`): the keys of routeAccess. */
export type RouteCatalog = Readonly<Record<string, RouteDoc>>;
