import { z } from "zod";
import { ZEnvSchema } from "./env";
import { REDACTED, redactLogLine } from "./log-redaction";
import { GLOBAL_WEBHOOK_ENV } from "./webhooks/global-webhook";

/**
 * `GET /api/server/environment`: the settings this server runs with, by variable name, each with its
 * effective value as parsed (a boolean, a number, a list; the default where none was set). Unlike WAHA's
 * route, which returns the raw process environment, nothing secret leaves: a secret shows as
 * `[redacted]` when it is set, a URL loses its credentials (a webhook URL all but its origin, since
 * URLs often carry tokens in their path), and the process's other variables are never listed.
 */

/** Variables read as plain strings by their own parsers (the global webhook), beside the ones in ZEnvSchema. */
const OTHER_SETTINGS: readonly string[] = Object.values(GLOBAL_WEBHOOK_ENV);

/** Secrets by name: the API key, passwords, the cookie secret, HMAC keys, tokens, custom header values. */
const SECRET_NAME = /API_KEY$|API_KEY_PLAIN$|PASSWORD|SECRET|TOKEN|HMAC|CUSTOM_HEADERS/;

/** Settings that are URLs (or lists of them) which may carry a user and password. */
const URL_SETTINGS = new Set([
  "DATABASE_URL",
  "NEXTAUTH_URL",
  "SWITCHBOARD_WORKER_URL",
  "WHATSAPP_PROXY_SERVER",
  "WHATSAPP_PROXY_SERVER_LIST",
]);

/** Webhook targets: only the origin is shown (a path or query may be a token). */
const WEBHOOK_URL_SETTINGS: ReadonlySet<string> = new Set([GLOBAL_WEBHOOK_ENV.url]);

/**
 * `all` false: the settings set in `vars`; true: every setting Switchboard reads, unset ones with their
 * default (null when there is none). Keys sorted, as WAHA sorts them.
 */
export function settingsReport(vars: Record<string, string | undefined>, options: { all: boolean }): Record<string, unknown> {
  const parsed = ZEnvSchema.safeParse(vars);
  // The server could not have started with invalid settings; a report never fails on them.
  const effective: Record<string, unknown> = parsed.success ? parsed.data : {};
  const names = [...Object.keys(ZEnvSchema.shape), ...OTHER_SETTINGS].sort();
  const report: Record<string, unknown> = {};
  for (const name of names) {
    const isSet = vars[name] !== undefined && vars[name] !== "";
    if (!isSet && !options.all) continue;
    const value = name in ZEnvSchema.shape ? effective[name] : vars[name];
    report[name] = isSet ? shown(name, value) : (value ?? null);
  }
  return report;
}

function shown(name: string, value: unknown): unknown {
  // A switch is never a secret, whatever its name says (WAHA_NO_API_KEY).
  if (SECRET_NAME.test(name) && typeof value !== "boolean") return REDACTED;
  if (WEBHOOK_URL_SETTINGS.has(name)) return typeof value === "string" ? originOnly(value) : value;
  if (URL_SETTINGS.has(name)) return Array.isArray(value) ? value.map(withoutCredentials) : withoutCredentials(value);
  return typeof value === "string" ? withoutCredentials(value) : value;
}

/** A URL without its password or credential parameters (the log's own redaction, applied to one value). */
function withoutCredentials(value: unknown): unknown {
  if (typeof value !== "string") return value;
  return JSON.parse(redactLogLine(JSON.stringify(value))) as string;
}

function originOnly(value: string): string {
  const url = z.url().safeParse(value);
  if (!url.success) return REDACTED;
  const { origin, pathname, search } = new URL(url.data);
  return pathname === "/" && search === "" ? origin : `${origin}/${REDACTED}`;
}
