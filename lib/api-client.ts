import type { z } from "zod";
import type { TApiKey, ZApiKeyRequestSchema } from "./api-keys";
import type { TErrorCode, TFieldIssue } from "./errors";
import type { TEnvironment } from "./event-envelope";
import type { TServerStatus } from "./server-control";
import type { TMe, TSession, ZSessionCreateRequestSchema } from "./session";
import type { TSessionConfig } from "./session-config";
import type { TSessionStatus } from "./session-status";
import type {
  TDeliveryList,
  TDeliveryState,
  TWebhookDelivery,
  TWebhookDeliveryDetail,
  ZWebhookTestRequestSchema,
} from "./webhook-delivery";
import type { TWebhookTestTargetList } from "./webhook-test-event";

/**
 * Typed client of Switchboard's REST API for the dashboard (and any browser code). Same-origin
 * fetch with the session cookie (`credentials: "same-origin"`); it never holds an API key. Every
 * non-2xx answer becomes an ApiError carrying the WAHA-shaped body (code, message, field details).
 */

export type TApiErrorCode = TErrorCode | "network_error" | "unknown_error";

export class ApiError extends Error {
  readonly status: number;
  readonly code: TApiErrorCode;
  readonly details: TFieldIssue[];
  readonly body: unknown;

  constructor(status: number, code: TApiErrorCode, message: string, details: TFieldIssue[] = [], body: unknown = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
    this.body = body;
  }
}

/** Recognise an ApiError by its name (safe across bundles, like isAppError). */
export function isApiError(error: unknown): error is ApiError {
  return typeof error === "object" && error !== null && (error as { name?: unknown }).name === "ApiError";
}

type QueryValue = string | number | boolean | null | undefined | readonly string[];

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  query?: Record<string, QueryValue>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ApiResponse<T> {
  data: T;
  headers: Headers;
  status: number;
}

export function buildQuery(query: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) {
      if (value.length) params.set(key, value.join(","));
    } else {
      params.set(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["Content-Type"] = "application/json";
  }
  let response: Response;
  try {
    response = await fetch(`${path}${buildQuery(options.query)}`, {
      method: options.method ?? "GET",
      headers,
      body,
      credentials: "same-origin",
      cache: "no-store",
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError(0, "network_error", "The server cannot be reached. Check that Switchboard is running.");
  }
  const text = await response.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (!response.ok) throw toApiError(response.status, parsed);
  return { data: parsed as T, headers: response.headers, status: response.status };
}

/** Turn a WAHA-shaped error body (or anything else) into an ApiError. */
export function toApiError(status: number, body: unknown): ApiError {
  const record = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const code = typeof record.code === "string" ? (record.code as TApiErrorCode) : "unknown_error";
  const details = Array.isArray(record.details)
    ? record.details.filter(
        (d): d is TFieldIssue => typeof d === "object" && d !== null && typeof d.field === "string" && typeof d.message === "string",
      )
    : [];
  let message =
    typeof record.message === "string"
      ? record.message
      : Array.isArray(record.message)
        ? record.message.join("; ")
        : typeof record.error === "string"
          ? record.error
          : typeof body === "string" && body.length < 300 && body.trim()
            ? body
            : `Request failed with status ${status}`;
  if (status === 401) message = "Your dashboard login has expired. Sign in again.";
  return new ApiError(status, code, message, details, body);
}

// ---------- sessions ----------

export type TSessionCreateInput = z.input<typeof ZSessionCreateRequestSchema>;

export interface TSessionListParams {
  q?: string;
  status?: readonly TSessionStatus[];
  metadata?: Record<string, string>;
  /** The order, on the server (docs/api.md); by name when left out. */
  sortBy?: "memory" | "status" | "activity";
  limit?: number;
  offset?: number;
}

export interface TSessionPage {
  items: TSession[];
  total: number;
}

const enc = encodeURIComponent;

/** The query of GET /api/sessions for a page of the dashboard's list (every session, stopped ones too). */
export function sessionListQuery(params: TSessionListParams): Record<string, QueryValue> {
  const query: Record<string, QueryValue> = {
    all: true,
    q: params.q?.trim() || undefined,
    status: params.status,
    sortBy: params.sortBy,
    limit: params.limit,
    offset: params.offset || undefined,
  };
  for (const [key, value] of Object.entries(params.metadata ?? {})) query[`metadata.${key}`] = value;
  return query;
}

export async function listSessions(params: TSessionListParams = {}, signal?: AbortSignal): Promise<TSessionPage> {
  const { data, headers } = await apiRequest<TSession[]>("/api/sessions", { query: sessionListQuery(params), signal });
  const total = Number(headers.get("X-Total-Count"));
  return { items: data ?? [], total: Number.isFinite(total) && headers.has("X-Total-Count") ? total : (data ?? []).length };
}

export async function getSession(name: string, signal?: AbortSignal): Promise<TSession> {
  return (await apiRequest<TSession>(`/api/sessions/${enc(name)}`, { signal })).data;
}

/**
 * GET /api/sessions/{name}/resources: the last hour of the browser's samples, unchecked: the caller checks
 * it against ZSessionResourceHistorySchema (components/data/resources.ts).
 */
export async function getSessionResources(name: string, signal?: AbortSignal): Promise<unknown> {
  return (await apiRequest<unknown>(`/api/sessions/${enc(name)}/resources`, { signal })).data;
}

/** The session's config with its secrets (HMAC keys, header values, proxy password) in clear. */
export async function getRevealedConfig(name: string): Promise<TSessionConfig> {
  return (await apiRequest<TSession>(`/api/sessions/${enc(name)}`, { query: { revealSecrets: true } })).data.config;
}

export async function createSession(input: TSessionCreateInput): Promise<TSession> {
  return (await apiRequest<TSession>("/api/sessions", { method: "POST", body: input })).data;
}

export async function updateSession(name: string, config: TSessionConfig): Promise<TSession> {
  return (await apiRequest<TSession>(`/api/sessions/${enc(name)}`, { method: "PUT", body: { config } })).data;
}

export async function deleteSession(name: string): Promise<void> {
  await apiRequest<null>(`/api/sessions/${enc(name)}`, { method: "DELETE" });
}

export const SESSION_ACTIONS = ["start", "stop", "restart", "logout"] as const;
export type TSessionAction = (typeof SESSION_ACTIONS)[number];

export async function runSessionAction(name: string, action: TSessionAction): Promise<TSession | null> {
  return (await apiRequest<TSession | null>(`/api/sessions/${enc(name)}/${action}`, { method: "POST" })).data;
}

export async function getMe(name: string): Promise<TMe | null> {
  return (await apiRequest<TMe | null>(`/api/sessions/${enc(name)}/me`)).data;
}

// ---------- login ----------

/** The raw QR value (what the phone scans); rendered in the browser. */
export async function getQrValue(name: string, signal?: AbortSignal): Promise<string> {
  return (await apiRequest<{ value: string }>(`/api/${enc(name)}/auth/qr`, { query: { format: "raw" }, signal })).data.value;
}

export async function requestPairingCode(name: string, phoneNumber: string): Promise<string> {
  const { data } = await apiRequest<{ code: string }>(`/api/${enc(name)}/auth/request-code`, {
    method: "POST",
    body: { phoneNumber },
  });
  return data.code;
}

export interface TImage {
  mimetype: string;
  data: string;
}

export async function getScreenshot(name: string): Promise<TImage> {
  return (await apiRequest<TImage>("/api/screenshot", { query: { session: name } })).data;
}

// ---------- webhook deliveries ----------

export interface TDeliveryListParams {
  state?: TDeliveryState;
  event?: string;
  limit?: number;
  offset?: number;
}

export async function listDeliveries(name: string, params: TDeliveryListParams = {}, signal?: AbortSignal): Promise<TDeliveryList> {
  const { data } = await apiRequest<TDeliveryList>(`/api/sessions/${enc(name)}/webhooks/deliveries`, {
    query: { state: params.state, event: params.event || undefined, limit: params.limit, offset: params.offset || undefined },
    signal,
  });
  return data;
}

/** One delivery with every attempt, its envelope and its request's headers (secrets redacted). */
export async function getDelivery(name: string, deliveryId: string, signal?: AbortSignal): Promise<TWebhookDeliveryDetail> {
  const { data } = await apiRequest<TWebhookDeliveryDetail>(`/api/sessions/${enc(name)}/webhooks/deliveries/${enc(deliveryId)}`, {
    signal,
  });
  return data;
}

export async function redeliver(name: string, deliveryId: string): Promise<TWebhookDelivery | null> {
  const { data } = await apiRequest<TWebhookDelivery | null>(
    `/api/sessions/${enc(name)}/webhooks/deliveries/${enc(deliveryId)}/redeliver`,
    { method: "POST" },
  );
  return data;
}

export type TWebhookTestInput = z.input<typeof ZWebhookTestRequestSchema>;

/** Where a test event can go: the session's usable webhooks, then the global one when configured. */
export async function listWebhookTestTargets(name: string, signal?: AbortSignal): Promise<TWebhookTestTargetList> {
  return (await apiRequest<TWebhookTestTargetList>(`/api/sessions/${enc(name)}/webhooks/test`, { signal })).data;
}

export async function sendTestEvent(name: string, input: TWebhookTestInput): Promise<unknown> {
  return (await apiRequest<unknown>(`/api/sessions/${enc(name)}/webhooks/test`, { method: "POST", body: input })).data;
}

// ---------- dashboard login (next-auth, JSON mode) ----------

export type TSignInResult =
  { ok: true } | { ok: false; reason: "invalid" | "rate_limited" | "error"; retryAfter?: number; message: string };

/** Sign in through next-auth's credentials callback; the session cookie is set httpOnly by the server. */
export async function signInWithPassword(username: string, password: string): Promise<TSignInResult> {
  try {
    const csrf = await fetch("/api/auth/csrf", { credentials: "same-origin", cache: "no-store" });
    if (!csrf.ok) return { ok: false, reason: "error", message: `The login service answered ${csrf.status}.` };
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const response = await fetch("/api/auth/callback/credentials", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ username, password, csrfToken, json: "true" }),
    });
    if (response.ok) return { ok: true };
    if (response.status === 429) {
      const body = (await response.json().catch(() => ({}))) as { retryAfter?: number; message?: string };
      const retryAfter = Number(response.headers.get("Retry-After") ?? body.retryAfter ?? 60);
      return { ok: false, reason: "rate_limited", retryAfter, message: body.message ?? "Too many failed logins." };
    }
    if (response.status === 401) return { ok: false, reason: "invalid", message: "Wrong username or password." };
    return { ok: false, reason: "error", message: `The login service answered ${response.status}.` };
  } catch {
    return { ok: false, reason: "error", message: "The server cannot be reached. Check that Switchboard is running." };
  }
}

export async function signOut(): Promise<void> {
  const csrf = await fetch("/api/auth/csrf", { credentials: "same-origin", cache: "no-store" });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  await fetch("/api/auth/signout", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken, json: "true" }),
  });
}

/**
 * GET /api/server/workers: the cluster's workers (this server alone outside cluster mode), unchecked:
 * the caller checks it against ZWorkerListSchema (components/data/workers.ts).
 */
export async function listWorkers(signal?: AbortSignal): Promise<unknown> {
  return (await apiRequest<unknown>("/api/server/workers", { signal })).data;
}

/** GET /api/server/status and /api/server/version together: the answering server's start, worker id and version. */
export async function getServerInfo(signal?: AbortSignal): Promise<{ status: TServerStatus; environment: TEnvironment }> {
  const [status, environment] = await Promise.all([
    apiRequest<TServerStatus>("/api/server/status", { signal }),
    apiRequest<TEnvironment>("/api/server/version", { signal }),
  ]);
  return { status: status.data, environment: environment.data };
}

// ---------- API keys ----------

export type TApiKeyRequestInput = z.input<typeof ZApiKeyRequestSchema>;

/** GET /api/keys: every key, masked (admins only; the dashboard's login is one). */
export async function listApiKeys(signal?: AbortSignal): Promise<TApiKey[]> {
  return (await apiRequest<TApiKey[]>("/api/keys", { signal })).data;
}

/** POST /api/keys: the answer carries the whole key, the only time it is shown. */
export async function createApiKey(input: TApiKeyRequestInput): Promise<TApiKey> {
  return (await apiRequest<TApiKey>("/api/keys", { method: "POST", body: input })).data;
}

export async function updateApiKey(id: string, input: TApiKeyRequestInput): Promise<TApiKey> {
  return (await apiRequest<TApiKey>(`/api/keys/${encodeURIComponent(id)}`, { method: "PUT", body: input })).data;
}

export async function deleteApiKey(id: string): Promise<void> {
  await apiRequest<null>(`/api/keys/${encodeURIComponent(id)}`, { method: "DELETE" });
}

/** POST /api/keys/control: the session's control-only key (the same one on every call), for its QR link. */
export async function getControlKey(session: string): Promise<TApiKey> {
  return (await apiRequest<TApiKey>("/api/keys/control", { method: "POST", body: { session } })).data;
}
