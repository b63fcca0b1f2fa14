/**
 * Migration step benchmark: what server.ts does between opening the database and serving, timed.
 * - fresh data folder: a new SQLite file, every committed migration pending
 * - nothing pending: the same database opened again (the boot of every day)
 * Each run opens its own client, as a boot does. Run: `npm run bench:migrate` (RUNS=5 to tune).
 * Prints a table; saves JSON in bench/results/.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { openDb } from "../server/db";
import { migrateDatabase } from "../server/db-migrate";

const RUNS = Number(process.env.RUNS ?? 5);
const logger = pino({ level: "warn" });

type Row = { measure: string; runs: number; p50: number; min: number; max: number; unit: string };
const rows: Row[] = [];

async function main() {
  const fresh: number[] = [];
  const upToDate: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-bench-migrate-"));
    const url = `file:${path.join(dir, "switchboard.db")}`;
    try {
      fresh.push(await timeMigrationStep(url));
      upToDate.push(await timeMigrationStep(url));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  record("fresh data folder (all pending)", fresh);
  record("nothing pending", upToDate);
  console.table(rows);
  fs.mkdirSync("bench/results", { recursive: true });
  const file = `bench/results/migrate-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
  fs.writeFileSync(file, JSON.stringify({ runs: RUNS, rows }, null, 2));
  console.log(`\nsaved ${file}`);
}

async function timeMigrationStep(url: string): Promise<number> {
  const db = openDb(url);
  try {
    const started = performance.now();
    await migrateDatabase(db, url, logger);
    return performance.now() - started;
  } finally {
    await db.$disconnect();
  }
}

function record(measure: string, samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  const p50 = sorted[Math.floor(sorted.length / 2)];
  rows.push({ measure, runs: sorted.length, p50: round(p50), min: round(sorted[0]), max: round(sorted.at(-1)!), unit: "ms" });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
