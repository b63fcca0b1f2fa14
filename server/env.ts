import path from "node:path";
import { z } from "zod";
import { DATABASE_URL_HINT, dbProviderOf } from "./db-url";
import { parseProxyEntry } from "./http/forwarded";
import { remember } from "./remember";

/**
 * Every environment variable Switchboard reads, parsed and validated once. WAHA's names wherever WAHA
 * has one (an existing deployment carries over); SWITCHBOARD_* for the rest. Documented in
 * docs/configuration.md — keep that table in step with this file.
 */

/** WAHA's parseBool: true/1/false/0, case-insensitive; anything else is a configuration error. */
const bool = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === "") return fallback;
      const lower = value.toLowerCase();
      if (lower === "true" || lower === "1") return true;
      if (lower === "false" || lower === "0") return false;
      ctx.addIssue({ code: "custom", message: `must be true, false, 1 or 0 (got "${value}")` });
      return z.NEVER;
    });

/**
 * Webhook requests in flight per receiver URL and worker. 16, not fewer: three workers at 8 each fell behind
 * a loopback receiver at 3,000 events/s on two cores whenever its answers slowed (docs/cluster.md, Benchmark).
 */
export const DEFAULT_WEBHOOK_CONCURRENCY = 16;

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);
const seconds = (fallback: number) => z.coerce.number().min(0).default(fallback);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));
const list = (separator: string | RegExp) =>
  z
    .string()
    .optional()
    .transform((v) =>
      (v ?? "")
        .split(separator)
        .map((s) => s.trim())
        .filter(Boolean),
    );

export const ZEnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: optionalString,
  WHATSAPP_API_PORT: optionalString,
  WHATSAPP_API_HOSTNAME: z.string().default("0.0.0.0"),
  SWITCHBOARD_DATA_DIR: z.string().default(".switchboard"),
  DATABASE_URL: optionalString.refine((url) => url === undefined || dbProviderOf(url) !== null, DATABASE_URL_HINT),

  WAHA_API_KEY: optionalString,
  WHATSAPP_API_KEY: optionalString,
  WAHA_NO_API_KEY: bool(false),
  WAHA_HTTP_STRICT_MODE: bool(false),
  SWITCHBOARD_MAX_BODY_BYTES: int(1024 * 1024, 1024),
  SWITCHBOARD_REQUEST_TIMEOUT_SECONDS: z.coerce.number().min(1).default(30),

  WAHA_DASHBOARD_ENABLED: bool(true),
  WAHA_DASHBOARD_USERNAME: optionalString,
  // Not trimmed: spaces may be part of a password.
  WAHA_DASHBOARD_PASSWORD: z
    .string()
    .optional()
    .transform((v) => (v === "" ? undefined : v)),
  NEXTAUTH_SECRET: optionalString,
  NEXTAUTH_URL: optionalString.pipe(z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional()),
  SWITCHBOARD_TRUSTED_PROXIES: list(",").superRefine((entries, ctx) => {
    for (const entry of entries.filter((e) => !parseProxyEntry(e))) {
      ctx.addIssue({ code: "custom", message: `"${entry}" is not an IP address or CIDR range (e.g. 127.0.0.1, 10.0.0.0/8, fd00::/8)` });
    }
  }),
  SWITCHBOARD_LOGIN_GLOBAL_MAX_FAILURES: int(100, 1),

  WAHA_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  WAHA_LOG_FORMAT: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? "JSON" : v.trim().toUpperCase()))
    .pipe(z.enum(["JSON", "PRETTY"], { error: 'only "JSON" and "PRETTY" are allowed' })),
  // Switchboard's default is debug (WAHA's is info): a default server writes no line per request.
  WAHA_HTTP_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace"]).default("debug"),

  WAHA_PRINT_QR: bool(true),
  WAHA_WORKER_ID: optionalString,
  SWITCHBOARD_WORKER_URL: optionalString.refine((url) => url === undefined || /^https?:\/\/[^/]+\/?$/.test(url), {
    message: "must be an http(s) origin such as http://10.0.0.5:3000",
  }),
  SWITCHBOARD_WORKER_CAPACITY: z.coerce.number().int().min(1).optional(),
  SWITCHBOARD_WORKER_LEASE_SECONDS: z.coerce.number().min(3).max(300).default(10),
  SWITCHBOARD_SNAPSHOT_INTERVAL_SECONDS: z.coerce.number().min(10).default(300),
  SWITCHBOARD_SNAPSHOT_MAX_MB: z.coerce.number().positive().default(200),
  SWITCHBOARD_TEST_ENGINE: z.enum(["fake"]).optional(),
  WAHA_WORKER_RESTART_SESSIONS: bool(true),
  WHATSAPP_RESTART_ALL_SESSIONS: bool(false),
  WHATSAPP_START_SESSION: list(","),
  WAHA_AUTO_START_DELAY_SECONDS: seconds(0),

  SWITCHBOARD_CHROME_PATH: optionalString,
  SWITCHBOARD_BROWSER_ARGS: optionalString,
  WAHA_WEBJS_PUPPETER_ARGS: optionalString,
  SWITCHBOARD_RESTART_DELAY_SECONDS: seconds(2),
  SWITCHBOARD_MAX_RESTART_DELAY_SECONDS: seconds(300),
  SWITCHBOARD_START_TIMEOUT_SECONDS: seconds(90),
  SWITCHBOARD_QR_STALE_SECONDS: seconds(90),
  SWITCHBOARD_STOP_TIMEOUT_SECONDS: seconds(15),
  SWITCHBOARD_HEALTH_INTERVAL_SECONDS: seconds(10),
  SWITCHBOARD_HEALTH_TIMEOUT_SECONDS: z.coerce.number().positive().default(5),
  SWITCHBOARD_HEALTH_RECONNECT_SECONDS: seconds(10),
  SWITCHBOARD_HEALTH_STABLE_SECONDS: seconds(60),
  SWITCHBOARD_MAX_CONSECUTIVE_FAILURES: int(10),
  SWITCHBOARD_HISTORY_ROWS: int(200, 1),
  WHATSAPP_PROXY_SERVER: optionalString,
  WHATSAPP_PROXY_SERVER_LIST: list(","),
  WHATSAPP_PROXY_SERVER_INDEX_PREFIX: optionalString,
  WHATSAPP_PROXY_SERVER_USERNAME: optionalString,
  WHATSAPP_PROXY_SERVER_PASSWORD: optionalString,
  WAHA_CLIENT_DEVICE_NAME: optionalString,
  WAHA_CLIENT_BROWSER_NAME: optionalString,
  WAHA_WEBJS_CACHE_TYPE: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? "none" : v.trim().toLowerCase()))
    .pipe(z.enum(["none", "local"], { error: 'only "local" and "none" are allowed' })),
  WAHA_WEBJS_WEB_VERSION: optionalString.pipe(
    z
      .string()
      .regex(/^[0-9A-Za-z][0-9A-Za-z._-]*$/, "must be a WhatsApp Web version such as 2.3000.1017054665")
      .optional(),
  ),
  SWITCHBOARD_PRESENCE_PULSE_SECONDS: seconds(0),
  WAHA_PRESENCE_AUTO_ONLINE: bool(true),
  WAHA_PRESENCE_AUTO_ONLINE_DURATION_SECONDS: seconds(25),

  SWITCHBOARD_WEBHOOK_CONCURRENCY: int(DEFAULT_WEBHOOK_CONCURRENCY, 1),
  SWITCHBOARD_WEBHOOK_TIMEOUT_SECONDS: seconds(10),
  SWITCHBOARD_WEBHOOK_RETENTION_DAYS: seconds(7),
  SWITCHBOARD_WEBHOOK_RETENTION_ROWS: int(100_000, 100),

  WAHA_PROMETHEUS_ENABLED: bool(false),
  WAHA_PROMETHEUS_PATH: optionalString.pipe(
    z
      .string()
      .regex(/^\/[^?#\s]*$/, "must be a path such as /metrics")
      .optional(),
  ),
  WAHA_PROMETHEUS_METRIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$|^$/, "must be a metric name prefix such as waha_")
    .optional(),
  WAHA_PROMETHEUS_HTTP_DURATION_BUCKETS: optionalString.pipe(
    z
      .string()
      .regex(/^\d+(\.\d+)?(,\d+(\.\d+)?)*$/, "must be comma-separated seconds such as 0.01,0.1,1")
      .optional(),
  ),
  WAHA_PROMETHEUS_USERNAME: optionalString,
  // Not trimmed: spaces may be part of a password.
  WAHA_PROMETHEUS_PASSWORD: z
    .string()
    .optional()
    .transform((v) => (v === "" ? undefined : v)),
  WAHA_PROMETHEUS_TRACK_EVENTS: list(","),
  SWITCHBOARD_RESOURCES_INTERVAL_SECONDS: seconds(15),

  WAHA_SESSION_CONFIG_IGNORE_STATUS: bool(false),
  WAHA_SESSION_CONFIG_IGNORE_GROUPS: bool(false),
  WAHA_SESSION_CONFIG_IGNORE_CHANNELS: bool(false),
  WAHA_SESSION_CONFIG_IGNORE_BROADCAST: bool(false),
});

type TRawEnv = z.infer<typeof ZEnvSchema>;

export interface Env {
  production: boolean;
  port: number;
  hostname: string;
  dataDir: string;
  databaseUrl: string;
  /** The configured key (plain or `sha512:<hex>`); undefined means "generate and store one". */
  apiKey: string | undefined;
  noApiKey: boolean;
  strictMode: boolean;
  maxBodyBytes: number;
  /** Longest time to receive a whole request (headers and body). */
  requestTimeoutMs: number;
  /** Addresses and CIDR ranges whose forwarded headers are believed (server/http/forwarded.ts); empty trusts none. */
  trustedProxies: string[];
  dashboard: {
    enabled: boolean;
    username: string;
    /** The configured password; undefined means "generate and store one". */
    password: string | undefined;
    /** NEXTAUTH_SECRET; undefined means "generate and store one". */
    secret: string | undefined;
    /** NEXTAUTH_URL, only needed behind TLS (it makes the session cookie Secure). */
    url: string | undefined;
    /** Failed logins a minute, over all addresses, before the login throttle refuses unknown clients. */
    globalMaxFailures: number;
  };
  logLevel: TRawEnv["WAHA_LOG_LEVEL"];
  /** JSON lines for machines, or PRETTY: one readable line each, for people (server/log-format.ts). */
  logFormat: TRawEnv["WAHA_LOG_FORMAT"];
  /** The level of the access log line each request gets. */
  httpLogLevel: TRawEnv["WAHA_HTTP_LOG_LEVEL"];
  /** Draw each new QR in the terminal (WAHA_PRINT_QR). */
  printQr: boolean;
  workerId: string | null;
  /**
   * Cluster mode (docs/cluster.md): set when DATABASE_URL is PostgreSQL. Each worker's lease lasts `leaseMs`
   * on the database clock and is renewed every fifth of it.
   */
  cluster: {
    workerUrl: string;
    capacity: number | null;
    leaseMs: number;
    /** Portable sessions: a running session's login is saved every `intervalMs` when it changed; at most `maxRawBytes` of login files. */
    logins: { intervalMs: number; maxRawBytes: number };
  } | null;
  /** TEST ONLY: `fake` runs sessions on an engine without Chromium (scale tests and benchmarks). */
  testEngine: "fake" | null;
  restore: { workerSessions: boolean; allSessions: boolean; named: string[]; delayMs: number };
  engine: {
    chromePath: string | undefined;
    browserArgs: string[];
    authDir: string;
    restartDelayMs: number;
    maxRestartDelayMs: number;
    startTimeoutMs: number;
    qrStaleMs: number;
    stopTimeoutMs: number;
    /** The liveness probe of WORKING sessions (docs/session-health.md); intervalMs 0 turns it off. */
    health: { intervalMs: number; timeoutMs: number; reconnectGraceMs: number };
    /** Failures in a row after which automatic restarts stop; 0 never stops. */
    maxFailures: number;
    /** WORKING this long without a fault resets the failure count. */
    stableMs: number;
    proxy: { servers: string[]; indexPrefix?: string; username?: string; password?: string } | null;
    client: { deviceName?: string; browserName?: string };
    /** Which WhatsApp Web the page runs: no cache (the live page) or the library's local cache, a version pinned in it. */
    webVersion: { cache: "none" | "local"; cacheDir: string; pinned: string | null };
    /**
     * The presence pulse (SWITCHBOARD_PRESENCE_PULSE_SECONDS, 0: off) and WAHA's auto-online: after
     * activity the account is online for `onlineMs`, then offline again; `autoOnline` false leaves the
     * presence alone (and so turns the pulse off).
     */
    presence: { pulseMs: number; autoOnline: boolean; onlineMs: number };
  };
  ignoreDefaults: { status: boolean; groups: boolean; channels: boolean; broadcast: boolean };
  /** Stored status changes kept per session (the oldest are pruned). */
  historyRowsPerSession: number;
  webhooks: { concurrencyPerTarget: number; requestTimeoutMs: number; retention: { maxAgeMs: number; maxRows: number } };
  /**
   * `/metrics` (docs/observability.md): WAHA's WAHA_PROMETHEUS_* settings. `credentials` is set only when both
   * the username and the password are; `trackEvents` empty counts every event.
   */
  prometheus: {
    enabled: boolean;
    path: string;
    prefix: string;
    httpDurationBuckets: number[];
    credentials: { username: string; password: string } | null;
    trackEvents: string[];
  };
  /** How often each running session's browser memory and CPU are sampled (0: never). */
  resourcesIntervalMs: number;
  /** The raw variables, for parsers owned by other modules (the global webhook). */
  raw: NodeJS.ProcessEnv;
}

export function parseEnv(vars: NodeJS.ProcessEnv): Env {
  const parsed = ZEnvSchema.safeParse(vars);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.SWITCHBOARD_DATA_DIR);
  const port = Number(e.PORT ?? e.WHATSAPP_API_PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid configuration: PORT must be a port number`);
  const proxyServers = e.WHATSAPP_PROXY_SERVER_LIST.length
    ? e.WHATSAPP_PROXY_SERVER_LIST
    : e.WHATSAPP_PROXY_SERVER
      ? [e.WHATSAPP_PROXY_SERVER]
      : [];
  return {
    production: e.NODE_ENV === "production",
    port,
    hostname: e.WHATSAPP_API_HOSTNAME,
    dataDir,
    databaseUrl: e.DATABASE_URL ?? `file:${path.join(dataDir, "switchboard.db")}`,
    apiKey: e.WAHA_API_KEY ?? e.WHATSAPP_API_KEY,
    noApiKey: e.WAHA_NO_API_KEY,
    strictMode: e.WAHA_HTTP_STRICT_MODE,
    maxBodyBytes: e.SWITCHBOARD_MAX_BODY_BYTES,
    requestTimeoutMs: e.SWITCHBOARD_REQUEST_TIMEOUT_SECONDS * 1000,
    trustedProxies: e.SWITCHBOARD_TRUSTED_PROXIES,
    dashboard: {
      enabled: e.WAHA_DASHBOARD_ENABLED,
      username: e.WAHA_DASHBOARD_USERNAME ?? "admin",
      password: e.WAHA_DASHBOARD_PASSWORD,
      secret: e.NEXTAUTH_SECRET,
      url: e.NEXTAUTH_URL,
      globalMaxFailures: e.SWITCHBOARD_LOGIN_GLOBAL_MAX_FAILURES,
    },
    logLevel: e.WAHA_LOG_LEVEL,
    logFormat: e.WAHA_LOG_FORMAT,
    httpLogLevel: e.WAHA_HTTP_LOG_LEVEL,
    printQr: e.WAHA_PRINT_QR,
    workerId: e.WAHA_WORKER_ID ?? null,
    cluster: clusterSettings(e, port),
    testEngine: e.SWITCHBOARD_TEST_ENGINE ?? null,
    restore: {
      workerSessions: e.WAHA_WORKER_RESTART_SESSIONS,
      allSessions: e.WHATSAPP_RESTART_ALL_SESSIONS,
      named: e.WHATSAPP_START_SESSION,
      delayMs: e.WAHA_AUTO_START_DELAY_SECONDS * 1000,
    },
    engine: {
      chromePath: e.SWITCHBOARD_CHROME_PATH,
      // WAHA's name for extra flags comes after ours, so it can override them.
      browserArgs: [e.SWITCHBOARD_BROWSER_ARGS, e.WAHA_WEBJS_PUPPETER_ARGS]
        .flatMap((flags) => (flags ?? "").split(/\s+(?=--)/))
        .map((s) => s.trim())
        .filter(Boolean),
      authDir: path.join(dataDir, "sessions"),
      restartDelayMs: e.SWITCHBOARD_RESTART_DELAY_SECONDS * 1000,
      maxRestartDelayMs: e.SWITCHBOARD_MAX_RESTART_DELAY_SECONDS * 1000,
      startTimeoutMs: e.SWITCHBOARD_START_TIMEOUT_SECONDS * 1000,
      qrStaleMs: e.SWITCHBOARD_QR_STALE_SECONDS * 1000,
      stopTimeoutMs: e.SWITCHBOARD_STOP_TIMEOUT_SECONDS * 1000,
      health: {
        intervalMs: e.SWITCHBOARD_HEALTH_INTERVAL_SECONDS * 1000,
        timeoutMs: e.SWITCHBOARD_HEALTH_TIMEOUT_SECONDS * 1000,
        reconnectGraceMs: e.SWITCHBOARD_HEALTH_RECONNECT_SECONDS * 1000,
      },
      maxFailures: e.SWITCHBOARD_MAX_CONSECUTIVE_FAILURES,
      stableMs: e.SWITCHBOARD_HEALTH_STABLE_SECONDS * 1000,
      proxy: proxyServers.length
        ? {
            servers: proxyServers,
            indexPrefix: e.WHATSAPP_PROXY_SERVER_INDEX_PREFIX,
            username: e.WHATSAPP_PROXY_SERVER_USERNAME,
            password: e.WHATSAPP_PROXY_SERVER_PASSWORD,
          }
        : null,
      client: { deviceName: e.WAHA_CLIENT_DEVICE_NAME, browserName: e.WAHA_CLIENT_BROWSER_NAME },
      webVersion: { cache: e.WAHA_WEBJS_CACHE_TYPE, cacheDir: path.join(dataDir, "webjs-cache"), pinned: e.WAHA_WEBJS_WEB_VERSION ?? null },
      presence: {
        pulseMs: e.SWITCHBOARD_PRESENCE_PULSE_SECONDS * 1000,
        autoOnline: e.WAHA_PRESENCE_AUTO_ONLINE,
        onlineMs: e.WAHA_PRESENCE_AUTO_ONLINE_DURATION_SECONDS * 1000,
      },
    },
    ignoreDefaults: {
      status: e.WAHA_SESSION_CONFIG_IGNORE_STATUS,
      groups: e.WAHA_SESSION_CONFIG_IGNORE_GROUPS,
      channels: e.WAHA_SESSION_CONFIG_IGNORE_CHANNELS,
      broadcast: e.WAHA_SESSION_CONFIG_IGNORE_BROADCAST,
    },
    historyRowsPerSession: e.SWITCHBOARD_HISTORY_ROWS,
    webhooks: {
      concurrencyPerTarget: e.SWITCHBOARD_WEBHOOK_CONCURRENCY,
      requestTimeoutMs: e.SWITCHBOARD_WEBHOOK_TIMEOUT_SECONDS * 1000,
      retention: {
        maxAgeMs: e.SWITCHBOARD_WEBHOOK_RETENTION_DAYS * 24 * 3600 * 1000,
        maxRows: e.SWITCHBOARD_WEBHOOK_RETENTION_ROWS,
      },
    },
    prometheus: {
      enabled: e.WAHA_PROMETHEUS_ENABLED,
      path: e.WAHA_PROMETHEUS_PATH ?? "/metrics",
      prefix: e.WAHA_PROMETHEUS_METRIC_PREFIX ?? "waha_",
      httpDurationBuckets: e.WAHA_PROMETHEUS_HTTP_DURATION_BUCKETS?.split(",").map(Number) ?? DEFAULT_HTTP_DURATION_BUCKETS,
      credentials:
        e.WAHA_PROMETHEUS_USERNAME && e.WAHA_PROMETHEUS_PASSWORD
          ? { username: e.WAHA_PROMETHEUS_USERNAME, password: e.WAHA_PROMETHEUS_PASSWORD }
          : null,
      trackEvents: e.WAHA_PROMETHEUS_TRACK_EVENTS,
    },
    resourcesIntervalMs: e.SWITCHBOARD_RESOURCES_INTERVAL_SECONDS * 1000,
    raw: vars,
  };
}

/** WAHA's default buckets of the HTTP request duration histogram, in seconds. */
const DEFAULT_HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Cluster mode's settings, or null on SQLite (the embedded single-worker mode). */
function clusterSettings(e: z.infer<typeof ZEnvSchema>, port: number): Env["cluster"] {
  const url = e.DATABASE_URL;
  if (url === undefined || dbProviderOf(url) !== "postgresql") return null;
  const missing = [
    e.WAHA_WORKER_ID ? null : "WAHA_WORKER_ID (unique per worker)",
    e.WAHA_API_KEY || e.WHATSAPP_API_KEY || e.WAHA_NO_API_KEY ? null : "WAHA_API_KEY (the same on every worker)",
    e.NEXTAUTH_SECRET || !e.WAHA_DASHBOARD_ENABLED ? null : "NEXTAUTH_SECRET (the same on every worker)",
    e.WAHA_DASHBOARD_PASSWORD || !e.WAHA_DASHBOARD_ENABLED ? null : "WAHA_DASHBOARD_PASSWORD (the same on every worker)",
  ].filter(Boolean);
  if (missing.length)
    throw new Error(`Invalid configuration: a PostgreSQL DATABASE_URL runs a cluster worker, which needs ${missing.join(", ")}`);
  return {
    workerUrl: (e.SWITCHBOARD_WORKER_URL ?? `http://127.0.0.1:${port}`).replace(/\/$/, ""),
    capacity: e.SWITCHBOARD_WORKER_CAPACITY ?? null,
    leaseMs: e.SWITCHBOARD_WORKER_LEASE_SECONDS * 1000,
    logins: {
      intervalMs: e.SWITCHBOARD_SNAPSHOT_INTERVAL_SECONDS * 1000,
      maxRawBytes: Math.round(e.SWITCHBOARD_SNAPSHOT_MAX_MB * 1024 * 1024),
    },
  };
}

/** The process's configuration, parsed on first use and shared by server.ts and the route handlers. */
export function getEnv(): Env {
  return remember("env", () => parseEnv(process.env));
}
