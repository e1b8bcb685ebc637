import { Hono } from "hono";
import { assetLoader, type ConsoleAssets } from "./console-assets.ts";

/** The page: no inline script or style, so the policy can forbid both. */
export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Loadline</title>
<link rel="stylesheet" href="/console/app.css">
<script type="module" src="/console/app.js"></script>
</head>
<body><div id="app"></div></body>
</html>
`;

/** Everything from this origin only; no inline script, no framing, no plugins. */
export const CONSOLE_CSP =
  "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export type ConsoleRoutesOptions = {
  /** Where the assets come from (tests); default: prebuilt beside the bundle, else built from the sources. */
  assets?: () => Promise<ConsoleAssets>;
  /** Where a failed build is said; default console.error. */
  onError?: (err: unknown) => void;
};

/** The web console: its page at `/` and its built assets under `/console/` (docs/console.md). */
export function consoleRoutes(opts: ConsoleRoutesOptions = {}): Hono {
  const load = opts.assets ?? assetLoader();
  const onError = opts.onError ?? ((err: unknown) => console.error("console: the assets could not be built", err));
  const app = new Hono();

  app.get("/", (c) => {
    c.header("Content-Security-Policy", CONSOLE_CSP);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "no-referrer");
    c.header("Cache-Control", "no-cache");
    return c.html(CONSOLE_HTML);
  });

  app.get("/console/:file", async (c) => {
    let assets: ConsoleAssets;
    try {
      assets = await load();
    } catch (err) {
      onError(err);
      return c.json(
        { error: { code: "console_unavailable", message: "the console's assets could not be built (see the server's log)" } },
        500,
      );
    }
    const file = assets.get(c.req.param("file"));
    if (!file) return c.json({ error: { code: "not_found", message: "no such console asset", field: "file" } }, 404);
    c.header("ETag", file.etag);
    // Named by path, not by content: revalidate each load (a 304 costs a round trip, not the bytes).
    c.header("Cache-Control", "no-cache");
    c.header("X-Content-Type-Options", "nosniff");
    const match = c.req.header("if-none-match");
    if (match?.split(",").some((tag) => tag.trim() === file.etag)) return c.body(null, 304);
    c.header("Content-Type", file.type);
    return c.body(file.body as Uint8Array<ArrayBuffer>);
  });

  return app;
}
