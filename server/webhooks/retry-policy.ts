import type { TWebhookConfig } from "@/lib/session-config";

/**
 * Retry math of WAHA's webhook sender (docs/webhooks.md, Retries). Retry number n = 1, 2, ...; d = delaySeconds in ms:
 * constant max(d, RA); linear max(n*d, RA); exponential D = max(2^n*d, RA) plus up to 20% jitter of D.
 * RA is the receiver's Retry-After (ms, 0 when absent), so it is a lower bound for every policy.
 */

export type TRetryPolicy = "constant" | "linear" | "exponential";

export interface TRetrySettings {
  policy: TRetryPolicy;
  delayMs: number;
  /** Retries after the first attempt: at most `retries + 1` requests. */
  retries: number;
}

export const DEFAULT_RETRIES = 15;
export const DEFAULT_DELAY_SECONDS = 2;
/** Upper bound for a receiver's Retry-After, so one header cannot park a delivery for months. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;
const EXPONENTIAL_JITTER = 0.2;

export function resolveRetrySettings(retries: TWebhookConfig["retries"]): TRetrySettings {
  return {
    policy: retries?.policy ?? "constant",
    delayMs: (retries?.delaySeconds ?? DEFAULT_DELAY_SECONDS) * 1000,
    retries: retries?.attempts ?? DEFAULT_RETRIES,
  };
}

/**
 * Delay before retry number `n` (1 = the first retry). `random` returns [0, 1) and is injected so
 * tests are exact; it is used by `exponential` only.
 */
export function retryDelayMs(settings: TRetrySettings, n: number, retryAfterMs: number, random: () => number): number {
  const d = settings.delayMs;
  const floor = Math.max(0, retryAfterMs);
  switch (settings.policy) {
    case "constant":
      return Math.max(d, floor);
    case "linear":
      return Math.max(n * d, floor);
    case "exponential": {
      const base = Math.max(2 ** n * d, floor);
      return Math.round(base + random() * EXPONENTIAL_JITTER * base);
    }
  }
}

/**
 * Retry-After in ms: delay-seconds (`120`) or an HTTP date (`Wed, 21 Oct 2026 07:28:00 GMT`).
 * Absent, malformed or in the past -> 0. Capped at MAX_RETRY_AFTER_MS.
 */
export function parseRetryAfter(header: string | string[] | undefined, now: number): number {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return 0;
  if (/^\d+$/.test(value)) return Math.min(Number(value) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return 0;
  return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}

/** 4xx that mean "try again later" rather than "your request is wrong". */
const RETRYABLE_4XX: ReadonlySet<number> = new Set([408, 409, 425, 429]);

/**
 * What a response status means for the delivery. 2xx delivered. 5xx, 408, 409, 425, 429 retry.
 * Any other status (3xx: redirects are not followed; 4xx: the receiver rejects this request and will
 * keep rejecting it) is dead at once. A network error or timeout (no status) is retried.
 */
export function classifyStatus(statusCode: number | null): "delivered" | "retry" | "dead" {
  if (statusCode === null) return "retry";
  if (statusCode >= 200 && statusCode < 300) return "delivered";
  if (statusCode >= 500 || RETRYABLE_4XX.has(statusCode)) return "retry";
  return "dead";
}

export type TNextStep = { outcome: "delivered" } | { outcome: "retry"; delayMs: number } | { outcome: "dead" };

/**
 * Decides after attempt number `attempt` (1-based within the cycle) of a delivery.
 * Retry n = attempt; dead when n exceeds the webhook's retries.
 */
export function decideNextStep(options: {
  settings: TRetrySettings;
  attempt: number;
  statusCode: number | null;
  retryAfterMs: number;
  random: () => number;
}): TNextStep {
  const kind = classifyStatus(options.statusCode);
  if (kind !== "retry") return { outcome: kind };
  const n = options.attempt;
  if (n > options.settings.retries) return { outcome: "dead" };
  return { outcome: "retry", delayMs: retryDelayMs(options.settings, n, options.retryAfterMs, options.random) };
}
