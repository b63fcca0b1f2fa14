/**
 * A booting server's migration step as a process of its own, for the concurrent-boot test
 * (server/db-migrate.test.ts): waits until START_AT (epoch ms) so that several start together, then
 * migrates DATABASE_URL from MIGRATIONS_DIR and prints the migrations it applied, as JSON.
 */
import pino from "pino";
import { openDb } from "@/server/db";
import { migrateDatabase } from "@/server/db-migrate";

const url = process.env.DATABASE_URL!;
const applied: string[] = [];
const logger = pino({ level: "info" }, { write: (line: string) => applied.push(...(JSON.parse(line).migrations ?? [])) });

await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(process.env.START_AT) - Date.now())));
const db = openDb(url);
try {
  await migrateDatabase(db, url, logger, { migrationsDir: process.env.MIGRATIONS_DIR });
} finally {
  await db.$disconnect();
}
process.stdout.write(`${JSON.stringify(applied)}\n`);
