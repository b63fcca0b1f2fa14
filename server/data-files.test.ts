import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Logger } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createDataDir, secureDatabaseFiles, sqliteFile } from "./data-files";

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

function setup() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-files-"));
  roots.push(root);
  const logger = { warn: vi.fn() };
  return { root, logger, log: logger as unknown as Logger };
}
const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

describe("createDataDir", () => {
  it("creates the folder (and missing parents) owner-only", () => {
    const { root, log } = setup();
    createDataDir(path.join(root, "a", "data"), log);
    expect(modeOf(path.join(root, "a", "data"))).toBe(0o700);
  });

  it("leaves an existing folder's mode alone, with a warning when others can get in", () => {
    const { root, logger, log } = setup();
    fs.chmodSync(root, 0o755);
    createDataDir(root, log);
    expect(modeOf(root)).toBe(0o755);
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });
});

describe("secureDatabaseFiles", () => {
  it("creates a missing database file owner-only before anything opens it", () => {
    const { root, log } = setup();
    const file = path.join(root, "db", "switchboard.db");
    secureDatabaseFiles(`file:${file}`, log);
    expect(modeOf(file)).toBe(0o600);
    expect(fs.statSync(file).size).toBe(0);
  });

  it("makes an existing database and its -wal and -shm owner-only, keeping their content", () => {
    const { root, log } = setup();
    const file = path.join(root, "switchboard.db");
    for (const name of [file, `${file}-wal`, `${file}-shm`]) {
      fs.writeFileSync(name, "data");
      fs.chmodSync(name, 0o644);
    }
    secureDatabaseFiles(`file:${file}`, log);
    for (const name of [file, `${file}-wal`, `${file}-shm`]) expect([modeOf(name), fs.readFileSync(name, "utf8")]).toEqual([0o600, "data"]);
  });

  it("does nothing for a database that is not a file", () => {
    expect(sqliteFile("postgresql://localhost/switchboard")).toBeNull();
    expect(sqliteFile("file::memory:")).toBeNull();
    expect(sqliteFile("file:/data/switchboard.db")).toBe("/data/switchboard.db");
  });
});
