import { ZWebhookConfigSchema, type TWebhookConfig } from "@/lib/session-config";

/** The environment variables of the global webhook (WAHA's names, docs/webhooks.md). */
export const GLOBAL_WEBHOOK_ENV = {
  url: "WHATSAPP_HOOK_URL",
  events: "WHATSAPP_HOOK_EVENTS",
  hmacKey: "WHATSAPP_HOOK_HMAC_KEY",
  retriesPolicy: "WHATSAPP_HOOK_RETRIES_POLICY",
  retriesDelaySeconds: "WHATSAPP_HOOK_RETRIES_DELAY_SECONDS",
  retriesAttempts: "WHATSAPP_HOOK_RETRIES_ATTEMPTS",
  customHeaders: "WHATSAPP_HOOK_CUSTOM_HEADERS",
} as const;

/** Maps a ZWebhookConfigSchema issue path to the variable that caused it. */
const VARIABLE_OF_PATH: Record<string, string> = {
  url: GLOBAL_WEBHOOK_ENV.url,
  events: GLOBAL_WEBHOOK_ENV.events,
  hmac: GLOBAL_WEBHOOK_ENV.hmacKey,
  "retries.policy": GLOBAL_WEBHOOK_ENV.retriesPolicy,
  "retries.delaySeconds": GLOBAL_WEBHOOK_ENV.retriesDelaySeconds,
  "retries.attempts": GLOBAL_WEBHOOK_ENV.retriesAttempts,
  customHeaders: GLOBAL_WEBHOOK_ENV.customHeaders,
};

/**
 * The global webhook from env, validated with the same schema as session webhooks; null when
 * WHATSAPP_HOOK_URL and WHATSAPP_HOOK_EVENTS are both unset. Throws an Error naming every invalid
 * variable (the server then refuses to start, as WAHA does).
 *
 * Differences from WAHA, all stricter or more forgiving only where WAHA would silently do nothing:
 * - only one of URL / EVENTS set is an error (WAHA silently sends nothing);
 * - events are trimmed and empty items dropped (`message, session.status,` works);
 * - empty parts of WHATSAPP_HOOK_CUSTOM_HEADERS (a trailing `;`) are skipped; names and values are trimmed.
 */
export function parseGlobalWebhook(vars: Record<string, string | undefined>): TWebhookConfig | null {
  const read = (name: string): string | undefined => {
    const value = vars[name]?.trim();
    return value ? value : undefined;
  };
  const url = read(GLOBAL_WEBHOOK_ENV.url);
  const eventsText = read(GLOBAL_WEBHOOK_ENV.events);
  const problems: string[] = [];

  if (!url && !eventsText) return null;
  if (!url) problems.push(`${GLOBAL_WEBHOOK_ENV.url} is required when ${GLOBAL_WEBHOOK_ENV.events} is set`);
  if (!eventsText)
    problems.push(`${GLOBAL_WEBHOOK_ENV.events} is required when ${GLOBAL_WEBHOOK_ENV.url} is set (e.g. "message,session.status" or "*")`);

  const events = (eventsText ?? "")
    .split(",")
    .map((event) => event.trim())
    .filter(Boolean);

  const config: Record<string, unknown> = { url: url ?? "", events };

  const hmacKey = vars[GLOBAL_WEBHOOK_ENV.hmacKey];
  if (hmacKey) config.hmac = { key: hmacKey };

  const policy = read(GLOBAL_WEBHOOK_ENV.retriesPolicy);
  const delaySeconds = read(GLOBAL_WEBHOOK_ENV.retriesDelaySeconds);
  const attempts = read(GLOBAL_WEBHOOK_ENV.retriesAttempts);
  if (policy !== undefined || delaySeconds !== undefined || attempts !== undefined) {
    config.retries = {
      ...(policy !== undefined ? { policy } : {}),
      ...(delaySeconds !== undefined ? { delaySeconds: parseNumber(delaySeconds, GLOBAL_WEBHOOK_ENV.retriesDelaySeconds, problems) } : {}),
      ...(attempts !== undefined ? { attempts: parseNumber(attempts, GLOBAL_WEBHOOK_ENV.retriesAttempts, problems) } : {}),
    };
  }

  const headersText = read(GLOBAL_WEBHOOK_ENV.customHeaders);
  if (headersText !== undefined) config.customHeaders = parseCustomHeaders(headersText, problems);

  if (problems.length === 0) {
    const parsed = ZWebhookConfigSchema.safeParse(config);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String);
      const variable = VARIABLE_OF_PATH[path.slice(0, 2).join(".")] ?? VARIABLE_OF_PATH[path[0] ?? ""] ?? path.join(".");
      const detail = describeIssuePath(path, config);
      problems.push(`${variable}${detail}: ${issue.message}`);
    }
  }
  throw new Error(`Invalid global webhook config: ${problems.join("; ")}`);
}

function parseNumber(text: string, variable: string, problems: string[]): number {
  const value = Number(text);
  if (!Number.isFinite(value)) {
    problems.push(`${variable}: "${text}" is not a number`);
    return 0;
  }
  return value;
}

/** `Name:Value;Name2:Value2`; a part without exactly one `:` is an error (as in WAHA). */
function parseCustomHeaders(text: string, problems: string[]): { name: string; value: string }[] {
  const headers: { name: string; value: string }[] = [];
  for (const part of text.split(";")) {
    if (!part.trim()) continue;
    const pieces = part.split(":");
    if (pieces.length !== 2) {
      problems.push(`${GLOBAL_WEBHOOK_ENV.customHeaders}: "${part}" must be Name:Value with exactly one ":"`);
      continue;
    }
    headers.push({ name: pieces[0]!.trim(), value: pieces[1]!.trim() });
  }
  return headers;
}

/** Names the offending item inside a list variable, e.g. ` item "mesage"`. */
function describeIssuePath(path: string[], config: Record<string, unknown>): string {
  if (path[0] === "events" && path[1] !== undefined) {
    return ` item "${(config.events as string[])[Number(path[1])]}"`;
  }
  if (path[0] === "customHeaders" && path[1] !== undefined) {
    const header = (config.customHeaders as { name: string }[])[Number(path[1])];
    return ` header "${header?.name}" ${path[2] ?? ""}`.trimEnd();
  }
  return "";
}
