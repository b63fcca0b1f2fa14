import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

// Prisma CLI only (generate, migrate deploy). The server resolves DATABASE_URL in server/env.ts
// and applies migrations itself at boot; this default only keeps `prisma generate` offline-safe.
process.env.DATABASE_URL ??= "file:./.switchboard/switchboard.db";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  adapter: async () => new PrismaBetterSQLite3({ url: process.env.DATABASE_URL! }),
});
