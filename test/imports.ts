import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";

/** What one file imports: the specifier of every static import, `export ... from`, dynamic import and module resolve of a string. */
export function specifiersOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\s[^"'`;]*?from\s*["']([^"']+)["']/gm,
    /^\s*import\s*["']([^"']+)["']/gm,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
    // A file resolved from a package (require.resolve, createRequire(...).resolve) depends on it as much as an import.
    /\.resolve\(\s*["']([^"'./][^"']*)["']\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) found.push(m[1] as string);
  return found;
}

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`); undefined for relative paths and Node built-ins. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith(".") || specifier.startsWith("/")) return undefined;
  if (specifier.startsWith("node:") || builtinModules.includes(specifier.split("/")[0] as string)) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "dist" || entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|mts|tsx|mjs|js)$/.test(entry.name)) out.push(full);
  }
  return out;
}

/**
 * Test and tooling code: `*.test.ts`, a `test/` folder, test support (`test-*.ts`, `testing.ts`,
 * a `testing/` folder) and tool configs (`*.config.ts`). Whatever it imports is a devDependency.
 */
export function isTestFile(file: string): boolean {
  const parts = file.split(path.sep);
  const base = parts.at(-1) ?? "";
  return (
    /\.test\.tsx?$/.test(base) ||
    base.startsWith("test-") ||
    base === "testing.ts" ||
    base.endsWith(".config.ts") ||
    parts.includes("test") ||
    parts.includes("testing")
  );
}

export type PackageImports = { runtime: Set<string>; test: Set<string>; relativeEscapes: string[] };

/** The packages one workspace package imports, from its code and from its tests apart; and relative imports that leave the package. */
export function packageImports(dir: string): PackageImports {
  const result: PackageImports = { runtime: new Set(), test: new Set(), relativeEscapes: [] };
  for (const file of sourceFiles(dir)) {
    for (const specifier of specifiersOf(readFileSync(file, "utf8"))) {
      if (specifier.startsWith(".")) {
        const target = path.resolve(path.dirname(file), specifier);
        if (!target.startsWith(dir + path.sep) && !file.endsWith(".config.ts"))
          result.relativeEscapes.push(`${path.relative(dir, file)} → ${specifier}`);
        continue;
      }
      const name = packageOf(specifier);
      if (name) (isTestFile(file) ? result.test : result.runtime).add(name);
    }
  }
  return result;
}
