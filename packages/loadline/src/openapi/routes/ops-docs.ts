import type { RouteCatalog } from "@loadline/service";
import { z } from "zod";

/** The ops endpoints, the console, and the contract itself: what any HTTP client or probe finds without a credential. */
export const opsRoutes: RouteCatalog = {
  "GET /healthz": {
    summary: "Liveness",
    tags: ["Operations"],
    responses: { 200: { description: "The process is up.", schema: z.looseObject({ status: z.string() }) } },
  },
  "GET /readyz": {
    summary: "Readiness",
    tags: ["Operations"],
    responses: {
      200: { description: "Ready: every component is.", schema: z.looseObject({ status: z.string() }) },
      503: { description: "Not ready, and why.", schema: z.looseObject({ status: z.string() }) },
    },
  },
  "GET /metrics": {
    summary: "Prometheus metrics",
    description: "Open, or (LL_METRICS_ACCESS=keyed) for a viewer's credential.",
    tags: ["Operations"],
    responses: { 200: { description: "The Prometheus text format.", content: { "text/plain": z.string() } } },
  },
  "GET /": {
    summary: "The web console",
    tags: ["Console"],
    responses: { 200: { description: "The console's page: it signs in and calls this API.", content: { "text/html": z.string() } } },
  },
  "GET /console/:file": {
    summary: "A console asset",
    tags: ["Console"],
    params: { file: z.string() },
    responses: {
      200: { description: "The asset (script, style).", content: { "text/javascript": null, "text/css": null } },
      304: { description: "Not modified (If-None-Match)." },
      404: { description: "No such asset." },
    },
  },
  "GET /openapi.json": {
    summary: "This document",
    tags: ["Contract"],
    responses: { 200: { description: "The API's OpenAPI 3.1 document.", schema: z.looseObject({ openapi: z.string() }) } },
  },
  "GET /docs": {
    summary: "The API reference",
    tags: ["Contract"],
    responses: { 200: { description: "An interactive reference of this document (Scalar).", content: { "text/html": z.string() } } },
  },
  "GET /docs/scalar.js": {
    summary: "The API reference's script",
    tags: ["Contract"],
    responses: { 200: { description: "Scalar's bundle, from the installed @scalar/api-reference.", content: { "text/javascript": null } } },
  },
};
