import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "@/generated/prisma/client";
import { remember } from "./remember";

export type Db = PrismaClient;

/** Opens the database once per process. `url` is a Prisma URL such as `file:/data/switchboard.db`. */
export function connectDb(url: string): Db {
  return remember("db", () => new PrismaClient({ adapter: new PrismaBetterSQLite3({ url }) }));
}
