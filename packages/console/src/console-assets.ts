import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** One asset as served: its bytes, type and strong ETag. */
export type Asset = { body: Uint8Array; type: string; etag: string };
export type ConsoleAssets = ReadonlyMap<string, Asset>;

const TYPES: Record<string, string> = {
  "app.js": "text/javascript; charset=utf-8",
  "app.css": "text/css; charset=utf-8",
};

/** Where a service bundle carries the assets it was built with (scripts/build-service.mjs): dist/console/ beside the bundle. */
export const PREBUILT_DIR = fileURLToPath(new URL("./console/", import.meta.url));

export function asset(name: string, body: Uint8Array): Asset {
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
  return { body, type: TYPES[name] ?? "application/octet-stream", etag };
}

/** The prebuilt assets when the bundle carries them, else null. */
export function prebuiltAssets(dir = PREBUILT_DIR): ConsoleAssets | null {
  const names = Object.keys(TYPES);
  if (!names.every((n) => existsSync(dir + n))) return null;
  return new Map(names.map((n) => [n, asset(n, readFileSync(dir + n))]));
}

/** The assets built now from the sources (esbuild, loaded only then). */
export async function builtAssets(): Promise<ConsoleAssets> {
  const { buildConsole } = await import("../build.mjs");
  const files = await buildConsole();
  return new Map(Object.entries(files).map(([n, body]) => [n, asset(n, body)]));
}

/**
 * The assets, loaded once: prebuilt ones when present, else built from the sources at the first
 * ask. A failed build is not kept: the next ask tries again (after the sources are fixed, say).
 */
export function assetLoader(
  load: () => Promise<ConsoleAssets> = async () => prebuiltAssets() ?? builtAssets(),
): () => Promise<ConsoleAssets> {
  let pending: Promise<ConsoleAssets> | null = null;
  return () => {
    pending ??= load().catch((err: unknown) => {
      pending = null;
      throw err;
    });
    return pending;
  };
}
