import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

describe("DATABASE_URL", () => {
  it("defaults to SQLite in the data folder", () => {
    expect(parseEnv({ NODE_ENV: "test", SWITCHBOARD_DATA_DIR: "data" }).databaseUrl).toBe(`file:${path.resolve("data", "switchboard.db")}`);
  });

  it.each(["file:/srv/switchboard.db", "postgresql://sb:secret@db.internal:5432/switchboard", "postgres://sb@127.0.0.1/sb"])(
    "accepts %s",
    (url) => {
      expect(parseEnv({ NODE_ENV: "test", DATABASE_URL: url }).databaseUrl).toBe(url);
    },
  );

  it("refuses any other database, naming the two it takes", () => {
    expect(() => parseEnv({ NODE_ENV: "test", DATABASE_URL: "mysql://root@localhost/sb" })).toThrow(
      /DATABASE_URL.*must start with file: \(SQLite\) or postgresql:\/\/ \(PostgreSQL\)/,
    );
  });
});
