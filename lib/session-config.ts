import { z } from "zod";
import { ZEventSubscriptionSchema } from "./event-names";
import { SECRET_PLACEHOLDER } from "./session-secrets";

/**
 * SessionConfig: the one schema that validates the REST body, the dashboard form and what is stored,
 * and generates the OpenAPI document. Fields and defaults follow WAHA's SessionConfig (docs/api.md, Sessions).
 * Objects strip unknown keys; strict mode (WAHA_HTTP_STRICT_MODE) rejects them via findStrippedKeys().
 */

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const NO_LINE_BREAKS = /^[^\r\n]*$/;
/** Said of every secret field (lib/session-secrets.ts). */
const SECRET = `A secret: responses show "${SECRET_PLACEHOLDER}", and sending that back keeps the stored value`;

export const RETRY_POLICIES = ["constant", "linear", "exponential"] as const;
export const ZRetryPolicySchema = z.enum(RETRY_POLICIES);

export const ZWebhookRetriesSchema = z
  .object({
    policy: ZRetryPolicySchema.nullish().describe("Delay growth between retries; constant when unset"),
    delaySeconds: z.number().min(0).max(86_400).nullish().describe("Base delay between retries (default 2)"),
    attempts: z.number().int().min(0).max(1_000).nullish().describe("Retries after the first attempt (default 15)"),
  })
  .meta({ id: "RetriesConfiguration" });

export const ZCustomHeaderSchema = z
  .object({
    name: z.string().regex(HEADER_NAME, "must be a valid HTTP header name"),
    value: z.string().regex(NO_LINE_BREAKS, "must not contain line breaks").describe(SECRET),
  })
  .meta({ id: "CustomHeader" });

export const ZWebhookConfigSchema = z
  .object({
    url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).describe("Receiver URL"),
    events: z.array(ZEventSubscriptionSchema).describe("Event names, or * for all but engine.event and state.change"),
    hmac: z
      .object({ key: z.string().nullish().describe(`Key of X-Webhook-Hmac (HMAC-SHA512 of the body). ${SECRET}`) })
      .meta({ id: "HmacConfiguration" })
      .nullish(),
    retries: ZWebhookRetriesSchema.nullish(),
    customHeaders: z.array(ZCustomHeaderSchema).nullish(),
  })
  .meta({ id: "WebhookConfig" });
export type TWebhookConfig = z.infer<typeof ZWebhookConfigSchema>;

export const ZProxyConfigSchema = z
  .object({
    server: z
      .string()
      .regex(/^((https?|socks[45]):\/\/)?[^\s:/]+:\d{1,5}$/, "must be host:port (an optional socks5:// scheme is allowed)")
      .describe("host:port of the proxy, without http://"),
    username: z.string().nullish(),
    password: z.string().nullish().describe(SECRET),
  })
  .meta({ id: "ProxyConfig" });

export const ZIgnoreConfigSchema = z
  .object({
    status: z.boolean().nullish().describe("Ignore status@broadcast"),
    groups: z.boolean().nullish().describe("Ignore *@g.us"),
    channels: z.boolean().nullish().describe("Ignore *@newsletter"),
    broadcast: z.boolean().nullish().describe("Ignore other *@broadcast"),
  })
  .meta({ id: "IgnoreConfig" });

export const ZClientConfigSchema = z
  .object({
    deviceName: z.string().max(64).nullish().describe("Shown in the phone's Linked Devices"),
    browserName: z.string().max(64).nullish(),
  })
  .meta({ id: "ClientSessionConfig" });

export const ZMetadataSchema = z
  .record(z.string(), z.string({ error: "metadata accepts string key-value pairs only" }))
  .describe("Your own key-value pairs; echoed in events and searchable with ?metadata.<key>=<value>")
  .meta({ id: "SessionMetadata" });

export const ZSessionConfigSchema = z
  .object({
    webhooks: z.array(ZWebhookConfigSchema).nullish(),
    metadata: ZMetadataSchema.nullish(),
    proxy: ZProxyConfigSchema.nullish(),
    debug: z.boolean().nullish().describe("Debug-level logs for this session"),
    ignore: ZIgnoreConfigSchema.nullish(),
    client: ZClientConfigSchema.nullish(),
    noweb: z
      .object({
        store: z.object({ enabled: z.boolean().nullish(), fullSync: z.boolean().nullish() }).nullish(),
        markOnline: z.boolean().nullish(),
      })
      .nullish()
      .describe("NOWEB engine options (accepted for compatibility; Switchboard runs WEBJS)"),
    gows: z
      .object({
        storage: z
          .object({
            messages: z.boolean().nullish(),
            groups: z.boolean().nullish(),
            chats: z.boolean().nullish(),
            labels: z.boolean().nullish(),
            contacts: z.boolean().nullish(),
            messageSecrets: z.boolean().nullish(),
          })
          .nullish(),
      })
      .nullish()
      .describe("GOWS engine options (accepted for compatibility)"),
    webjs: z.object({ tagsEventsOn: z.boolean().nullish() }).nullish().describe("WEBJS engine options"),
  })
  .meta({ id: "SessionConfig" });
export type TSessionConfig = z.infer<typeof ZSessionConfigSchema>;

/**
 * Paths of object keys in `input` that parsing dropped: the unknown fields strict mode rejects.
 * Compares the raw input with the parsed output, so it needs no second, strict copy of the schema.
 */
export function findStrippedKeys(input: unknown, output: unknown, path: string[] = []): string[] {
  if (Array.isArray(input) && Array.isArray(output)) {
    return input.flatMap((item, i) => findStrippedKeys(item, output[i], [...path, String(i)]));
  }
  if (!isPlainObject(input) || !isPlainObject(output)) return [];
  return Object.keys(input).flatMap((key) =>
    key in output ? findStrippedKeys(input[key], output[key], [...path, key]) : [[...path, key].join(".")],
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The config fields a running session takes without a restart: the browser never reads them. Events are
 * published under the session's current config (metadata in the envelope, webhooks as targets, ignore as
 * the chat filter), so a change to these applies to the next event. Every other field restarts it.
 */
export const LIVE_CONFIG_FIELDS = ["metadata", "webhooks", "ignore"] as const satisfies readonly (keyof TSessionConfig)[];

/**
 * The fields outside LIVE_CONFIG_FIELDS whose value differs between `before` and `after` (a running
 * session restarts to apply them). Absent, null and empty objects count as the same; order of keys does not.
 */
export function restartingFieldsChanged(before: TSessionConfig | null | undefined, after: TSessionConfig | null | undefined): string[] {
  const live = new Set<string>(LIVE_CONFIG_FIELDS);
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})].filter((key) => !live.has(key)));
  const read = (config: TSessionConfig | null | undefined, key: string) => (config as Record<string, unknown> | null | undefined)?.[key];
  return [...keys].filter((key) => canonical(read(before, key)) !== canonical(read(after, key))).sort();
}

/** JSON with sorted keys, without null or undefined values and objects left empty; undefined when nothing is left. */
function canonical(value: unknown): string | undefined {
  const strip = (v: unknown): unknown => {
    if (v === null || v === undefined) return undefined;
    if (Array.isArray(v)) return v.map((item) => strip(item) ?? null);
    if (!isPlainObject(v)) return v;
    const entries = Object.keys(v)
      .sort()
      .map((key) => [key, strip(v[key])] as const)
      .filter(([, item]) => item !== undefined);
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  };
  const stripped = strip(value);
  return stripped === undefined ? undefined : JSON.stringify(stripped);
}
