import { defineConfig } from "vitest/config";

/**
 * `npx vitest run` at the root runs every package's tests as one suite, two test files at a
 * time (the default is one on 2 cores, and most of a file's time is its fork starting and its
 * services: waiting, not computing).
 */
export default defineConfig({ test: { projects: ["packages/*", "bench", "test"], maxWorkers: 2 } });
