import { defineConfig } from "vitest/config";

/** Tests of the repository's shape: the package map, declared dependencies, the domain's purity. */
export default defineConfig({ test: { name: "architecture", dir: import.meta.dirname, include: ["**/*.test.ts"] } });
