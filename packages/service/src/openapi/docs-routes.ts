import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Hono } from "hono";

/**
 * Scalar's configuration: nothing fetched from elsewhere (no fonts, no telemetry, no AI agent),
 * so the page works offline and tells no one who reads it. The CSP below holds it to that anyway.
 */
const SCALAR_CONFIGURATION = {
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  hideClientButton: true,
  showDeveloperTools: "never",
};

/**
 * The reference page: Scalar pointed at the document beside it. URLs are relative, so the page
 * works behind a proxy that mounts the API under a prefix; no inline script (the element Scalar
 * reads its settings from is empty), so the policy can forbid it.
 */
export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Loadline API reference</title>
<link rel="icon" href="data:,">
</head>
<body>
<script id="api-reference" data-url="openapi.json" data-configuration='${JSON.stringify(SCALAR_CONFIGURATION)}'></script>
<script src="docs/scalar.js"></script>
</body>
</html>
`;

/** Scripts from this origin only; Scalar sets its styles inline and may draw with blob: and data: images. */
export const DOCS_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; " +
  "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Scalar's standalone browser bundle, from the installed package (its exports do not name it: found beside its main file). */
function scalarBundlePath(): string {
  const main = createRequire(import.meta.url).resolve("@scalar/api-reference");
  return join(dirname(main), "browser", "standalone.js");
}

/** Read once, at the first request for it: 5 MB a process that is never asked for its docs need not hold. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | null = null;
  return () => {
    loaded ??= load().catch((err: unknown) => {
      loaded = null;
      throw err;
    });
    return loaded;
  };
}

/**
 * The API's contract: `GET /openapi.json` (the OpenAPI 3.1 document `document` makes, made once)
 * and `GET /docs`, an interactive reference of it (Scalar, served from the installed package:
 * no CDN). Both public: they describe the API, they hold none of its data.
 */
export function openApiRoutes(document: () => unknown): Hono {
  const app = new Hono();
  const json = once(async () => JSON.stringify(document()));
  const scalar = once(async () => new Uint8Array(await readFile(scalarBundlePath())));

  app.get("/openapi.json", async (c) => {
    c.header("Content-Type", "application/json; charset=utf-8");
    c.header("Cache-Control", "no-cache");
    return c.body(await json());
  });

  app.get("/docs", (c) => {
    c.header("Content-Security-Policy", DOCS_CSP);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "no-referrer");
    c.header("Cache-Control", "no-cache");
    return c.html(DOCS_HTML);
  });

  app.get("/docs/scalar.js", async (c) => {
    c.header("Content-Type", "text/javascript; charset=utf-8");
    c.header("Cache-Control", "no-cache");
    c.header("X-Content-Type-Options", "nosniff");
    return c.body((await scalar()) as Uint8Array<ArrayBuffer>);
  });

  return app;
}
