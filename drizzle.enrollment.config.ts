// drizzle-kit: the enrollment service's migrations, from its own schema (npm run db:generate:enrollment).
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./lib/enrollment/db/schema.ts",
  out: "./lib/enrollment/db/migrations",
});
