import { defineConfig } from "vitest/config";

/**
 * Tests of the repository's shape: the package map, declared dependencies, the domain's purity.
 * Parsing the AsyncAPI document is seconds of CPU on a busy 2-core host: the shared timeout.
 */
export default defineConfig({
  test: { name: "architecture", dir: import.meta.dirname, include: ["**/*.test.ts"], testTimeout: 60_000 },
});
