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
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  session_not_found: 404,
  qr_not_available: 404,
  session_exists: 422,
  session_status_unexpected: 422,
  session_already_started: 422,
  not_implemented_by_engine: 422,
  engine_error: 422,
  too_many_requests: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type TErrorCode = keyof typeof ERROR_STATUS;

export const HTTP_REASON: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
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

/** The WAHA-shaped body every non-2xx response carries. */
export interface TErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code: TErrorCode;
  details?: TFieldIssue[];
  [extra: string]: unknown;
}

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
