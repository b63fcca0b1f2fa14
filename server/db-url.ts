/** The databases Switchboard runs on, as Prisma's `migration_lock.toml` names them. */
export type DbProvider = "sqlite" | "postgresql";

export const DATABASE_URL_HINT = "must start with file: (SQLite) or postgresql:// (PostgreSQL)";

/** The database a URL names: `file:` is SQLite, `postgresql://` or `postgres://` is PostgreSQL; null for anything else. */
export function dbProviderOf(url: string): DbProvider | null {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  return null;
}

export function dbProvider(url: string): DbProvider {
  const provider = dbProviderOf(url);
  if (!provider) throw new Error(`DATABASE_URL ${DATABASE_URL_HINT}`);
  return provider;
}
