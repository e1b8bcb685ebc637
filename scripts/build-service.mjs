// Bundles a service's entry point (src/main.ts, or the CLI) into dist/ with esbuild: our own
// workspace packages are inlined, npm dependencies stay external, so `node dist/main.js` runs
// on plain Node without a TypeScript loader.

import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const cwd = process.cwd();
/** Where the bundle goes: dist/ unless told (a test builds elsewhere). */
const outdir = process.argv[2] ?? "dist";
const pkg = JSON.parse(readFileSync(join(cwd, "package.json"), "utf8"));
const root = join(cwd, "..", "..");

const external = new Set();
const seen = new Set();
function collect(dir) {
  const p = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  for (const dep of Object.keys(p.dependencies ?? {})) {
    if (dep.startsWith("@loadline/")) {
      if (seen.has(dep)) continue;
      seen.add(dep);
      collect(join(root, "packages", dep.slice("@loadline/".length)));
    } else external.add(dep);
  }
}
collect(cwd);

// A worker thread's entry must be a file of its own beside main.js, and the code that starts it
// looks for it there: the engine thread goes beside every bundle that inlines @loadline/worker
// (the loadline CLI's too), not only beside the worker's own.
const threadEntry = [cwd, ...[...seen].map((dep) => join(root, "packages", dep.slice("@loadline/".length)))]
  .map((dir) => join(dir, "src/engine/thread-entry.ts"))
  .find((file) => existsSync(file));
const entryPoints = [
  ...["src/main.ts", "src/cli.ts"]
    .filter((e) => existsSync(join(cwd, e)))
    .map((e) => ({ in: e, out: e.slice("src/".length, -".ts".length) })),
  ...(threadEntry ? [{ in: threadEntry, out: "thread-entry" }] : []),
];
await build({
  entryPoints,
  outdir,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: true,
  external: [...external].flatMap((d) => [d, `${d}/*`]),
  logLevel: "warning",
});
console.log(`${pkg.name}: ${entryPoints.map((e) => e.out).join(", ")} -> ${outdir}/`);

// The Locust engine's plugin (Python, docs/locust.md) is read from beside the code that starts
// Locust: it goes beside every bundle that inlines @loadline/worker, as the thread entry does.
const locustPlugin = [cwd, ...[...seen].map((dep) => join(root, "packages", dep.slice("@loadline/".length)))]
  .map((dir) => join(dir, "src/engine/locust/loadline_plugin.py"))
  .find((file) => existsSync(file));
if (locustPlugin) {
  copyFileSync(locustPlugin, join(outdir, "loadline_plugin.py"));
  console.log(`${pkg.name}: loadline_plugin.py -> ${outdir}/`);
}

// A bundle that serves the web console carries its assets prebuilt, in dist/console/ beside it
// (where @loadline/console looks first), so that it never builds them at run time.
if (seen.has("@loadline/console")) {
  const { writeConsole } = await import(pathToFileURL(join(root, "packages", "console", "build.mjs")).href);
  const files = await writeConsole(join(outdir, "console"));
  console.log(`@loadline/console: ${files.join(", ")} -> ${join(outdir, "console")}/`);
}
