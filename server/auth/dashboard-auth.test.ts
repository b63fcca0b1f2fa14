import fs from "node:fs";
import path from "node:path";
import pino from "pino";
import { describe, expect, it, vi } from "vitest";
import { tempDirs } from "@/test/support/temp-dirs";
import { parseEnv } from "../env";
import { credentialsMatch, resolveDashboardAuth } from "./dashboard-auth";
import { parseCookieHeader } from "./session-token";

const dashDataDir = tempDirs("sb-dash-");

const logger = pino({ level: "silent" });
const envWith = (vars: Record<string, string>) => parseEnv({ NODE_ENV: "test", SWITCHBOARD_DATA_DIR: dashDataDir(), ...vars });

describe("dashboard login", () => {
  it("accepts the configured username and password only", () => {
    const auth = resolveDashboardAuth({ env: envWith({ WAHA_DASHBOARD_USERNAME: "ops", WAHA_DASHBOARD_PASSWORD: "pa ss-word" }), logger });
    expect(credentialsMatch(auth, "ops", "pa ss-word")).toBe(true);
    expect(credentialsMatch(auth, "admin", "pa ss-word")).toBe(false);
    expect(credentialsMatch(auth, "ops", "pa ss-wore")).toBe(false);
  });

  it("generates a password and a secret once (mode 600), prints the password once, reuses both", () => {
    const env = envWith({});
    const print = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const first = resolveDashboardAuth({ env, logger });
    const second = resolveDashboardAuth({ env, logger });
    expect(print).toHaveBeenCalledTimes(1);
    print.mockRestore();
    const file = path.join(env.dataDir, "dashboard-password");
    const password = fs.readFileSync(file, "utf8").trim();
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(env.dataDir, "nextauth-secret")).mode & 0o777).toBe(0o600);
    expect(credentialsMatch(second, "admin", password)).toBe(true);
    expect(second.secret).toBe(first.secret);
  });

  it("writes nothing and accepts nothing when the dashboard is off", () => {
    const env = envWith({ WAHA_DASHBOARD_ENABLED: "false", WAHA_DASHBOARD_PASSWORD: "x" });
    const auth = resolveDashboardAuth({ env, logger });
    expect(credentialsMatch(auth, "admin", "x")).toBe(false);
    expect(fs.readdirSync(env.dataDir)).toEqual([]);
  });

  it("parses a Cookie header", () => {
    expect(parseCookieHeader('a=1; next-auth.session-token=x%3Dy; b="q"; a=2')).toEqual({
      a: "1",
      "next-auth.session-token": "x=y",
      b: "q",
    });
  });
});
