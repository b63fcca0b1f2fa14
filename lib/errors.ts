import { z } from "zod";

/**
 * The one error type of Switchboard. Services throw it; only the HTTP wrapper turns it into a body.
 * Across module graphs (server.ts vs. Next's bundle) recognise it with isAppError(), never instanceof.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  validation_failed: 400,
  invalid_json: 400,
  // The issue asks for 400 on every kind of bad input, an oversized body included.
  payload_too_large: 400,
  // Nobody reads this answer (the client hung up mid-upload); it must not count as a server fault.
  request_aborted: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  session_not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  qr_not_available: 404,
  /** Cluster mode: a forwarded command reached a worker that no longer owns its session (the forwarder retries). */
  owner_changed: 409,
  session_exists: 422,
  session_status_unexpected: 422,
  session_already_started: 422,
  not_implemented_by_engine: 422,
  engine_error: 422,
  too_many_requests: 429,
  request_header_fields_too_large: 431,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type TErrorCode = keyof typeof ERROR_STATUS;

export const HTTP_REASON: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export interface TFieldIssue {
  /** Dotted path of the offending field, e.g. `config.webhooks.0.url`. */
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly code: TErrorCode;
  readonly details?: TFieldIssue[];
  /** Extra top-level fields of the body, for WAHA's object-shaped errors (QR status waits). */
  readonly extra?: Record<string, unknown>;

  constructor(code: TErrorCode, message: string, options: { details?: TFieldIssue[]; extra?: Record<string, unknown> } = {}) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = options.details;
    this.extra = options.extra;
  }

  get statusCode(): number {
    return ERROR_STATUS[this.code];
  }
}

export function isAppError(error: unknown): error is AppError {
  return (
    typeof error === "object" &&
    error !== null &&
    (error as { name?: unknown }).name === "AppError" &&
    typeof (error as { code?: unknown }).code === "string" &&
    (error as { code: string }).code in ERROR_STATUS
  );
}

/** The WAHA-shaped body every non-2xx response carries (extra fields for WAHA's object-shaped errors). */
export const ZErrorBodySchema = z
  .looseObject({
    statusCode: z.number().int().min(400).max(599),
    error: z.string().min(1),
    message: z.string(),
    code: z.enum(Object.keys(ERROR_STATUS) as [TErrorCode, ...TErrorCode[]]),
    details: z.array(z.object({ field: z.string().min(1), message: z.string() })).optional(),
  })
  .meta({ id: "ErrorBody" });
export type TErrorBody = z.infer<typeof ZErrorBodySchema>;

export function errorBody(error: AppError): TErrorBody {
  const statusCode = error.statusCode;
  return {
    statusCode,
    error: HTTP_REASON[statusCode] ?? "Error",
    message: error.message,
    code: error.code,
    ...(error.details ? { details: error.details } : {}),
    // Last, so WAHA's object-shaped errors (QR status waits: error, session, status, expected) keep their fields.
    ...error.extra,
  };
}

/**
 * The body for an error status that no AppError produced (no route, a method the route lacks, a
 * framework's own refusal): the first code with that status, else the generic one of its class.
 */
export function httpErrorBody(statusCode: number, request: string): TErrorBody {
  const code =
    (Object.keys(ERROR_STATUS) as TErrorCode[]).find((c) => ERROR_STATUS[c] === statusCode) ??
    (statusCode >= 500 ? "internal_error" : "bad_request");
  const messages: Record<number, string> = {
    404: `Cannot ${request}`,
    405: `Method not allowed: ${request}`,
    408: "The request was not received in time",
  };
  return {
    statusCode,
    error: HTTP_REASON[statusCode] ?? (statusCode >= 500 ? "Internal Server Error" : "Bad Request"),
    message: messages[statusCode] ?? HTTP_REASON[statusCode] ?? "Request failed",
    code,
  };
}
