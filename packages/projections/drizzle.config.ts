import { defineConfig } from "drizzle-kit";

/** `npx drizzle-kit generate` writes the migrations the service applies at start-up. */
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/schema.ts",
  out: "./drizzle",
});
