import { defineConfig } from "vitest/config";

/**
 * One test configuration for every package: integration tests talk to real NATS and Postgres.
 * `isolate: false`: a fork runs test file after test file with its modules loaded once, rather
 * than a new process per file (on 2 cores that was 365 s of the suite's import time against 74,
 * and the whole suite 950 s against 665). Test files keep their state in their own module and
 * their fixtures (their own NATS prefix, database, stack), so they do not meet.
 */
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    isolate: false,
  },
});
