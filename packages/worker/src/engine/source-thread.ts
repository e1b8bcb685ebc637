import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * The engine thread run from source (tests, `npm start` under tsx) as one plain-JavaScript file:
 * under tsx a thread loaded every module through its loader, twice the CPU of a bundle's start,
 * paid at every run. The entry is bundled once per process with esbuild (as
 * scripts/build-service.mjs does for dist/: our workspace packages inlined, npm packages loaded
 * from node_modules) into the repository's node_modules/.cache, where those imports resolve,
 * named by its content so processes share it and a changed source makes a new one.
 * Bundles in dist/ never come here (their thread-entry.js is built beside them).
 */
let bundled: URL | undefined;

export function sourceThreadUrl(entry: URL): URL {
  if (bundled) return bundled;
  // esbuild is a development dependency: required here only, never by a bundle that runs from dist/.
  const { buildSync } = createRequire(import.meta.url)("esbuild") as typeof import("esbuild");
  const { outputFiles } = buildSync({
    entryPoints: [fileURLToPath(entry)],
    outfile: "thread-entry.mjs",
    write: false,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    logLevel: "warning",
    external: npmDependencies().flatMap((d) => [d, `${d}/*`]),
  });
  const code = outputFiles[0]!.contents;
  const dir = fileURLToPath(new URL("../../../../node_modules/.cache/loadline/", import.meta.url));
  const file = join(dir, `thread-entry-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, code);
    renameSync(partial, file); // whole or absent for a process reading it at the same time
  }
  bundled = pathToFileURL(file);
  return bundled;
}

/** The npm packages this package and the workspace packages it depends on import (node: built-ins are external anyway). */
function npmDependencies(): string[] {
  const packages = new URL("../../../", import.meta.url);
  const out = new Set<string>();
  const seen = new Set<string>();
  const collect = (name: string) => {
    const json = JSON.parse(readFileSync(new URL(`${name}/package.json`, packages), "utf8")) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(json.dependencies ?? {})) {
      if (!dep.startsWith("@loadline/")) out.add(dep);
      else if (!seen.has(dep)) {
        seen.add(dep);
        collect(dep.slice("@loadline/".length));
      }
    }
  };
  collect("worker");
  return [...out];
}
