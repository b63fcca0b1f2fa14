import { describe, expect, it } from "vitest";
import { REDACTED } from "./log-redaction";
import { settingsReport } from "./settings-report";

/** Every kind of secret a deployment configures, each a value that must never leave. */
const SECRETS = {
  apiKey: "key-8f3a1c9e5b7d2f40",
  dashboardPassword: "dash-pass-6b2e9d1f",
  cookieSecret: "cookie-secret-0d7c4a8e",
  proxyPassword: "proxy-pass-3e8b5a2c",
  proxyUrlPassword: "inline-proxy-9a1f7e3d",
  hmacKey: "hmac-key-5c0e2b8f",
  headerValue: "Bearer header-token-1d6f4a9c",
  databasePassword: "db-pass-7e2a9c4b",
  hookToken: "hook-token-2b8d6e0a",
  metricsPassword: "metrics-pass-0c9e5a7d",
};

const VARS: Record<string, string> = {
  PATH: "/usr/bin",
  AWS_SECRET_ACCESS_KEY: "unrelated-secret-4f1e",
  WAHA_API_KEY: SECRETS.apiKey,
  WAHA_DASHBOARD_PASSWORD: SECRETS.dashboardPassword,
  NEXTAUTH_SECRET: SECRETS.cookieSecret,
  WHATSAPP_PROXY_SERVER_USERNAME: "proxy-user",
  WHATSAPP_PROXY_SERVER_PASSWORD: SECRETS.proxyPassword,
  WHATSAPP_PROXY_SERVER_LIST: `http://u:${SECRETS.proxyUrlPassword}@proxy-a:3128, proxy-b:3128`,
  WHATSAPP_HOOK_URL: `https://hooks.example.com/in/${SECRETS.hookToken}?token=${SECRETS.hookToken}`,
  WHATSAPP_HOOK_EVENTS: "message,session.status",
  WHATSAPP_HOOK_HMAC_KEY: SECRETS.hmacKey,
  WHATSAPP_HOOK_CUSTOM_HEADERS: `Authorization:${SECRETS.headerValue}`,
  DATABASE_URL: `postgresql://switchboard:${SECRETS.databasePassword}@db:5432/switchboard?password=${SECRETS.databasePassword}`,
  WAHA_PROMETHEUS_USERNAME: "scraper",
  WAHA_PROMETHEUS_PASSWORD: SECRETS.metricsPassword,
  WAHA_PRINT_QR: "False",
  WAHA_NO_API_KEY: "0",
  SWITCHBOARD_WEBHOOK_CONCURRENCY: "4",
  WAHA_LOG_FORMAT: "pretty",
  WAHA_WORKER_ID: "w1",
};

describe("settingsReport", () => {
  it("never shows a secret, with or without all", () => {
    for (const all of [false, true]) {
      const text = JSON.stringify(settingsReport(VARS, { all }));
      for (const [name, secret] of Object.entries(SECRETS)) expect(text, `${name} (all=${all})`).not.toContain(secret);
      expect(text).not.toContain("unrelated-secret");
    }
  });

  it("lists the settings that are set, with their effective values, secrets only as set", () => {
    const report = settingsReport(VARS, { all: false });
    expect(report).toEqual({
      DATABASE_URL: `postgresql://switchboard:${REDACTED}@db:5432/switchboard?password=${REDACTED}`,
      NEXTAUTH_SECRET: REDACTED,
      SWITCHBOARD_WEBHOOK_CONCURRENCY: 4,
      WAHA_API_KEY: REDACTED,
      WAHA_DASHBOARD_PASSWORD: REDACTED,
      WAHA_LOG_FORMAT: "PRETTY",
      WAHA_NO_API_KEY: false,
      WAHA_PRINT_QR: false,
      WAHA_PROMETHEUS_PASSWORD: REDACTED,
      WAHA_PROMETHEUS_USERNAME: "scraper",
      WAHA_WORKER_ID: "w1",
      WHATSAPP_HOOK_CUSTOM_HEADERS: REDACTED,
      WHATSAPP_HOOK_EVENTS: "message,session.status",
      WHATSAPP_HOOK_HMAC_KEY: REDACTED,
      WHATSAPP_HOOK_URL: `https://hooks.example.com/${REDACTED}`,
      WHATSAPP_PROXY_SERVER_LIST: [`http://u:${REDACTED}@proxy-a:3128`, "proxy-b:3128"],
      WHATSAPP_PROXY_SERVER_PASSWORD: REDACTED,
      WHATSAPP_PROXY_SERVER_USERNAME: "proxy-user",
    });
    expect(Object.keys(report)).toEqual(Object.keys(report).sort());
  });

  it("with all, adds every other setting at its default, null where there is none", () => {
    const report = settingsReport(VARS, { all: true });
    expect(report).toMatchObject({
      WAHA_LOG_LEVEL: "info",
      WAHA_HTTP_LOG_LEVEL: "debug",
      SWITCHBOARD_HISTORY_ROWS: 200,
      WAHA_PRINT_QR: false,
    });
    expect(report.SWITCHBOARD_CHROME_PATH).toBeNull();
    expect(report.WHATSAPP_HOOK_RETRIES_POLICY).toBeNull();
    expect(report.PATH).toBeUndefined();
  });
});
