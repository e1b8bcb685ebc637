// Builds the console's browser assets (app.js, app.css) with esbuild: one bundle of Preact,
// uPlot and the app, minified, for evergreen browsers. Plain JS so that scripts/build-service.mjs
// (plain Node) and console-routes.ts (built at the first request when no prebuilt assets are
// there) share it.

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The app's entry point, in the sources. */
export const CONSOLE_ENTRY = fileURLToPath(new URL("./src/app/main.tsx", import.meta.url));

/** The console's assets built from its sources, in memory: file name (app.js, app.css) to contents. */
export async function buildConsole(entry = CONSOLE_ENTRY) {
  // Loaded only to build: a bundle serving prebuilt assets never loads esbuild.
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: { app: entry },
    bundle: true,
    minify: true,
    target: "es2020",
    format: "esm",
    platform: "browser",
    jsx: "automatic",
    jsxImportSource: "preact",
    outdir: "out",
    write: false,
    legalComments: "none",
    logLevel: "silent",
    define: { "process.env.NODE_ENV": '"production"' },
  });
  const files = {};
  for (const file of result.outputFiles) files[file.path.slice(file.path.lastIndexOf("/") + 1)] = file.contents;
  if (!files["app.js"] || !files["app.css"]) throw new Error(`console build made ${Object.keys(files).join(", ")}: not app.js and app.css`);
  return files;
}

/** Writes the built assets to a directory (a service bundle's dist/console/). */
export async function writeConsole(outdir, entry = CONSOLE_ENTRY) {
  const files = await buildConsole(entry);
  await mkdir(outdir, { recursive: true });
  await Promise.all(Object.entries(files).map(([name, contents]) => writeFile(join(outdir, name), contents)));
  return Object.keys(files).sort();
}
