import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isTestFile, packageImports, sourceFiles, specifiersOf } from "./imports.ts";
import { DOMAIN_FORBIDDEN, MAY_IMPORT } from "./layers.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
type Manifest = { name: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
const packages = readdirSync(path.join(ROOT, "packages")).map((dir) => {
  const full = path.join(ROOT, "packages", dir);
  return { dir: full, manifest: JSON.parse(readFileSync(path.join(full, "package.json"), "utf8")) as Manifest };
});
const ours = (names: Iterable<string>) => [...names].filter((n) => n === "loadline" || n.startsWith("@loadline/"));

describe("the package map", () => {
  it("names every workspace package", () => {
    expect(packages.map((p) => p.manifest.name).sort()).toEqual(Object.keys(MAY_IMPORT).sort());
  });

  for (const { dir, manifest } of packages) {
    const imports = packageImports(dir);
    imports.runtime.delete(manifest.name);
    imports.test.delete(manifest.name);

    it(`${manifest.name} imports only the packages it may`, () => {
      const allowed = MAY_IMPORT[manifest.name] ?? [];
      expect(ours([...imports.runtime, ...imports.test]).filter((n) => !allowed.includes(n))).toEqual([]);
    });

    it(`${manifest.name} declares exactly what it imports`, () => {
      expect(Object.keys(manifest.dependencies ?? {}).sort()).toEqual([...imports.runtime].sort());
      const testOnly = [...imports.test].filter((n) => !imports.runtime.has(n));
      expect(Object.keys(manifest.devDependencies ?? {}).sort()).toEqual(testOnly.sort());
    });

    it(`${manifest.name} reaches into no other package by a relative path`, () => {
      expect(imports.relativeEscapes).toEqual([]);
    });
  }

  it("keeps the domain's code free of I/O", () => {
    const core = path.join(ROOT, "packages", "core", "src");
    const offending = sourceFiles(core)
      .filter((file) => !isTestFile(file))
      .flatMap((file) =>
        specifiersOf(readFileSync(file, "utf8"))
          .filter((s) => DOMAIN_FORBIDDEN.test(s))
          .map((s) => `${path.relative(core, file)} → ${s}`),
      );
    expect(offending).toEqual([]);
  });

  it("lets bench/ and chaos/ use packages only through what they export", () => {
    const reaching = ["bench", "chaos"].flatMap((top) =>
      sourceFiles(path.join(ROOT, top)).flatMap((file) =>
        specifiersOf(readFileSync(file, "utf8"))
          .filter((s) => /(^|\/)packages\//.test(s) || /^(@loadline\/[^/]+|loadline)\/src\//.test(s))
          .map((s) => `${path.relative(ROOT, file)} → ${s}`),
      ),
    );
    expect(reaching).toEqual([]);
  });
});

describe("the import scanner", () => {
  it("finds static, re-exported, side-effect and dynamic imports, and modules resolved", () => {
    const source = [
      'import { a } from "@loadline/core";',
      'import type { B } from "hono";',
      'export { c } from "./c.ts";',
      'import "pino";',
      'const d = await import("undici");',
      'import {\n  e,\n  f,\n} from "postgres";',
      'const g = createRequire(import.meta.url).resolve("@scalar/api-reference");',
      'path.resolve("/tmp"); url.resolve("./x");',
    ].join("\n");
    expect(specifiersOf(source).sort()).toEqual([
      "./c.ts",
      "@loadline/core",
      "@scalar/api-reference",
      "hono",
      "pino",
      "postgres",
      "undici",
    ]);
  });

  it("tells test code from the code a package runs", () => {
    expect(isTestFile("/p/src/projector.test.ts")).toBe(true);
    expect(isTestFile("/p/test/fixture.ts")).toBe(true);
    expect(isTestFile("/p/src/testing/eventually.ts")).toBe(true);
    expect(isTestFile("/p/src/test-support.ts")).toBe(true);
    expect(isTestFile("/p/src/load-test-file.ts")).toBe(false);
    expect(isTestFile("/p/src/projector.ts")).toBe(false);
  });
});
