import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDirs } from "@/test/support/temp-dirs";
import { parseEnv } from "./env";

const dataDir = tempDirs("sb-env-")();
const parse = (vars: Record<string, string> = {}) => parseEnv({ NODE_ENV: "test", SWITCHBOARD_DATA_DIR: dataDir, ...vars });

describe("the version policy and presence settings", () => {
  it("default to the live page and no presence pulse, with WAHA's auto-online of 25 s", () => {
    const { engine } = parse();
    expect(engine.webVersion).toEqual({ cache: "none", cacheDir: path.join(dataDir, "webjs-cache"), pinned: null });
    expect(engine.presence).toEqual({ pulseMs: 0, autoOnline: true, onlineMs: 25_000 });
  });

  it("read WAHA's names: the cache type in any case, a pinned version, the pulse and auto-online", () => {
    const { engine } = parse({
      WAHA_WEBJS_CACHE_TYPE: "LOCAL",
      WAHA_WEBJS_WEB_VERSION: " 2.3000.1017054665 ",
      SWITCHBOARD_PRESENCE_PULSE_SECONDS: "21600",
      WAHA_PRESENCE_AUTO_ONLINE: "False",
      WAHA_PRESENCE_AUTO_ONLINE_DURATION_SECONDS: "10",
    });
    expect(engine.webVersion).toMatchObject({ cache: "local", pinned: "2.3000.1017054665" });
    expect(engine.presence).toEqual({ pulseMs: 21_600_000, autoOnline: false, onlineMs: 10_000 });
  });

  it("refuse what is not a setting, naming the variable", () => {
    expect(() => parse({ WAHA_WEBJS_CACHE_TYPE: "remote" })).toThrow(/WAHA_WEBJS_CACHE_TYPE: only "local" and "none" are allowed/);
    expect(() => parse({ WAHA_WEBJS_WEB_VERSION: "../../etc/passwd" })).toThrow(/WAHA_WEBJS_WEB_VERSION: must be a WhatsApp Web version/);
    expect(() => parse({ SWITCHBOARD_PRESENCE_PULSE_SECONDS: "-1" })).toThrow(/SWITCHBOARD_PRESENCE_PULSE_SECONDS/);
    expect(() => parse({ WAHA_PRESENCE_AUTO_ONLINE: "sometimes" })).toThrow(/WAHA_PRESENCE_AUTO_ONLINE: must be true, false, 1 or 0/);
  });
});

describe("DATABASE_URL", () => {
  it("defaults to SQLite in the data folder", () => {
    expect(parseEnv({ NODE_ENV: "test", SWITCHBOARD_DATA_DIR: "data" }).databaseUrl).toBe(`file:${path.resolve("data", "switchboard.db")}`);
  });

  const CLUSTER_WORKER = { WAHA_WORKER_ID: "w1", WAHA_API_KEY: "k", NEXTAUTH_SECRET: "s", WAHA_DASHBOARD_PASSWORD: "p" };

  it.each(["file:/srv/switchboard.db", "postgresql://sb:secret@db.internal:5432/switchboard", "postgres://sb@127.0.0.1/sb"])(
    "accepts %s",
    (url) => {
      expect(parseEnv({ NODE_ENV: "test", DATABASE_URL: url, ...CLUSTER_WORKER }).databaseUrl).toBe(url);
    },
  );

  it("runs SQLite without cluster settings, and PostgreSQL as a cluster worker with the lease and address it was given", () => {
    expect(parseEnv({ NODE_ENV: "test" }).cluster).toBeNull();
    const worker = { NODE_ENV: "test", DATABASE_URL: "postgresql://sb@db/sb", PORT: "3101", ...CLUSTER_WORKER } as const;
    const defaultLogins = { intervalMs: 300_000, maxRawBytes: 200 * 1024 * 1024 };
    expect(parseEnv(worker).cluster).toEqual({
      workerUrl: "http://127.0.0.1:3101",
      capacity: null,
      leaseMs: 10_000,
      logins: defaultLogins,
    });
    expect(
      parseEnv({
        ...worker,
        SWITCHBOARD_WORKER_URL: "http://10.0.0.5:3000/",
        SWITCHBOARD_WORKER_CAPACITY: "40",
        SWITCHBOARD_WORKER_LEASE_SECONDS: "6",
        SWITCHBOARD_SNAPSHOT_INTERVAL_SECONDS: "60",
        SWITCHBOARD_SNAPSHOT_MAX_MB: "50",
      }).cluster,
    ).toEqual({
      workerUrl: "http://10.0.0.5:3000",
      capacity: 40,
      leaseMs: 6_000,
      logins: { intervalMs: 60_000, maxRawBytes: 50 * 1024 * 1024 },
    });
    expect(() => parseEnv({ ...worker, SWITCHBOARD_SNAPSHOT_INTERVAL_SECONDS: "1" })).toThrow(/SWITCHBOARD_SNAPSHOT_INTERVAL_SECONDS/);
  });

  it("refuses a cluster worker without the settings every worker must share, naming each", () => {
    expect(() => parseEnv({ NODE_ENV: "test", DATABASE_URL: "postgresql://sb@db/sb", WAHA_WORKER_ID: "w1" })).toThrow(
      /needs WAHA_API_KEY .*NEXTAUTH_SECRET .*WAHA_DASHBOARD_PASSWORD/,
    );
    expect(() =>
      parseEnv({ NODE_ENV: "test", DATABASE_URL: "postgresql://sb@db/sb", ...CLUSTER_WORKER, SWITCHBOARD_WORKER_URL: "10.0.0.5" }),
    ).toThrow(/SWITCHBOARD_WORKER_URL: must be an http\(s\) origin/);
  });

  it("refuses any other database, naming the two it takes", () => {
    expect(() => parseEnv({ NODE_ENV: "test", DATABASE_URL: "mysql://root@localhost/sb" })).toThrow(
      /DATABASE_URL.*must start with file: \(SQLite\) or postgresql:\/\/ \(PostgreSQL\)/,
    );
  });
});

describe("the log settings", () => {
  it("default to JSON lines and the access line at debug", () => {
    expect(parse()).toMatchObject({ logFormat: "JSON", httpLogLevel: "debug" });
  });

  it("read WAHA's names, the format in any case", () => {
    expect(parse({ WAHA_LOG_FORMAT: "pretty", WAHA_HTTP_LOG_LEVEL: "info" })).toMatchObject({ logFormat: "PRETTY", httpLogLevel: "info" });
  });

  it("refuse an unknown format or level, naming the variable", () => {
    expect(() => parse({ WAHA_LOG_FORMAT: "xml" })).toThrow(/WAHA_LOG_FORMAT: only "JSON" and "PRETTY" are allowed/);
    expect(() => parse({ WAHA_HTTP_LOG_LEVEL: "loud" })).toThrow(/WAHA_HTTP_LOG_LEVEL/);
  });
});
