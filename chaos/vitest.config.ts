import { defineConfig } from "vitest/config";

/** The chaos suite: its own command (npm run chaos), one scenario at a time. */
export default defineConfig({
  test: {
    include: ["chaos/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: "forks",
    fileParallelism: false,
  },
});
