import { SECRET_PLACEHOLDER } from "@/lib/session-secrets";
import type { TDueDeliveryRow, TWebhookSnapshot } from "./outbox";
import { parseSnapshot } from "./outbox";
import { resolveRetrySettings, type TRetrySettings } from "./retry-policy";
import { HMAC_ALGORITHM, signBody } from "./signing";

/**
 * Building the request of a delivery, as pure functions of the stored row: the exact envelope bytes,
 * the headers of docs/webhooks.md ("What your receiver gets") and the retry settings of the webhook
 * config frozen when the event was emitted. Built once per claim and reused for every attempt of it.
 */

export interface TWebhookRequest {
  body: Buffer;
  headers: Record<string, string>;
  settings: TRetrySettings;
}

/** Header names a custom header may not set: they would break the request or its signature. */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  "content-type",
  "content-length",
  "host",
  "connection",
  "transfer-encoding",
  "x-webhook-request-id",
  "x-webhook-timestamp",
  "x-webhook-hmac",
  "x-webhook-hmac-algorithm",
]);

/** The User-Agent of every delivery. */
export function webhookUserAgent(version: string): string {
  return `Switchboard/${version}`;
}

/**
 * The headers a delivery is sent with, for people to read: each custom header's value (a secret of the
 * session's config, lib/session-secrets.ts) is replaced by the placeholder; the HMAC is the signature
 * of the body, which reveals nothing of the key.
 */
export function describeWebhookHeaders(
  row: Pick<TDueDeliveryRow, "id" | "url" | "webhook" | "envelope">,
  userAgent: string,
): Record<string, string> {
  const snapshot = parseSnapshot(row);
  const masked = {
    ...snapshot,
    customHeaders: snapshot.customHeaders?.map((header) => ({ ...header, value: header.value === "" ? "" : SECRET_PLACEHOLDER })),
  };
  const body = Buffer.from(row.envelope.body, "utf8");
  return buildHeaders({ requestId: row.id, timestamp: row.envelope.timestamp.getTime(), body, snapshot: masked, userAgent });
}

export function buildWebhookRequest(row: Pick<TDueDeliveryRow, "id" | "url" | "webhook" | "envelope">, userAgent: string): TWebhookRequest {
  const snapshot = parseSnapshot(row);
  const body = Buffer.from(row.envelope.body, "utf8");
  return {
    body,
    headers: buildHeaders({ requestId: row.id, timestamp: row.envelope.timestamp.getTime(), body, snapshot, userAgent }),
    settings: resolveRetrySettings(snapshot.retries),
  };
}

/** Custom headers may replace User-Agent (whatever its case), never the protocol headers. */
export function buildHeaders(input: {
  requestId: string;
  timestamp: number;
  body: Buffer;
  snapshot: TWebhookSnapshot;
  userAgent: string;
}): Record<string, string> {
  const headers: Record<string, string> = { "User-Agent": input.userAgent };
  for (const { name, value } of input.snapshot.customHeaders ?? []) {
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower)) continue;
    for (const existing of Object.keys(headers)) if (existing.toLowerCase() === lower) delete headers[existing];
    headers[name] = value;
  }
  headers["Content-Type"] = "application/json";
  headers["X-Webhook-Request-Id"] = input.requestId;
  headers["X-Webhook-Timestamp"] = String(input.timestamp);
  // The trace of the request that caused the event (W3C Trace Context); it wins over a custom header.
  if (input.snapshot.traceparent) {
    for (const existing of Object.keys(headers)) if (existing.toLowerCase() === "traceparent") delete headers[existing];
    headers.traceparent = input.snapshot.traceparent;
  }
  const key = input.snapshot.hmac?.key;
  if (key) {
    headers["X-Webhook-Hmac"] = signBody(input.body, key);
    headers["X-Webhook-Hmac-Algorithm"] = HMAC_ALGORITHM;
  }
  return headers;
}
