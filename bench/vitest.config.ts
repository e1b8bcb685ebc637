import { defineConfig } from "vitest/config";

/** The harness's own tests (parsers, tables, /proc readers): `npx vitest run --root bench`. */
export default defineConfig({
  test: { name: "bench", include: ["**/*.test.ts"], exclude: ["results/**", "node_modules/**"] },
});
