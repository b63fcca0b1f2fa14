import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TPostgresState } from "./postgres-cluster";

/**
 * PostgreSQL for a unit test: the run's throwaway cluster (started once per run by
 * test/support/postgres-cluster.ts, vitest's global setup) and a fresh database per test on it.
 * Without PostgreSQL's binaries the tests that use it are skipped with the printed reason; under CI=true
 * the run fails instead.
 */

// Importing vitest outside its runner throws, and bench/ uses these helpers too: there, setPostgresCluster names the cluster.
const vitest = process.env.VITEST ? await import("vitest") : null;
let outsideVitest: TPostgresState | undefined;

/** Outside vitest (bench/): the cluster the helpers below create databases on (startPostgresCluster's URL). */
export function setPostgresCluster(url: string): void {
  outsideVitest = { url };
}

function clusterState(): TPostgresState | undefined {
  return outsideVitest ?? vitest?.inject("postgres");
}

/** Why PostgreSQL tests are skipped in this run, or null when a cluster is up. For `describe.skipIf`. */
export function postgresSkipReason(): string | null {
  const state = clusterState();
  if (!state) return "the PostgreSQL global setup (test/support/postgres-cluster.ts) did not run";
  return "skip" in state ? state.skip : null;
}

function adminUrl(): string {
  const state = clusterState();
  if (!state || "skip" in state) throw new Error(`no PostgreSQL cluster: ${postgresSkipReason()}`);
  return state.url;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface PostgresDatabase {
  url: string;
  name: string;
  /** Drops the database, ending any connection a test left open. */
  drop(): Promise<void>;
}

/** A new, empty database (or a copy of `template`) on the run's cluster. */
export async function createPostgresDatabase(template?: string): Promise<PostgresDatabase> {
  const name = `sb_${randomBytes(6).toString("hex")}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ""}`));
  return {
    name,
    url: withDatabase(adminUrl(), name),
    drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
