import { defineConfig } from "vitest/config";

/** One test configuration for every package: integration tests talk to real NATS and Postgres. */
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
