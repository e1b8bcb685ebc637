// Bundles a service's entry point (src/main.ts, or the CLI) into dist/ with esbuild: our own
// workspace packages are inlined, npm dependencies stay external, so `node dist/main.js` runs
// on plain Node without a TypeScript loader.
import { build } from "esbuild";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const cwd = process.cwd();
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

// A worker thread's entry must be a file of its own beside main.js.
const entryPoints = ["src/main.ts", "src/cli.ts", "src/engine-thread.ts"].filter((e) => existsSync(join(cwd, e)));
await build({
  entryPoints,
  outdir: "dist",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: true,
  external: [...external].flatMap((d) => [d, `${d}/*`]),
  logLevel: "warning",
});
console.log(`${pkg.name}: ${entryPoints.join(", ")} -> dist/`);
