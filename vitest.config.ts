import { defineConfig } from "vitest/config";

/** `npx vitest run` at the root runs every package's tests as one suite. */
export default defineConfig({ test: { projects: ["packages/*", "bench", "test"] } });
