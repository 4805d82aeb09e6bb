// drizzle-kit: generates SQL migrations from lib/platform/db/schema.ts into lib/platform/db/migrations.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./lib/platform/db/schema.ts",
  out: "./lib/platform/db/migrations",
});
