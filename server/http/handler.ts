import { z } from "zod";
import { AppError, errorBody, isAppError, type TFieldIssue } from "@/lib/errors";
import { ZSessionNameSchema } from "@/lib/session";
import { findStrippedKeys } from "@/lib/session-config";
import { getEnv } from "../env";
import { getLogger } from "../logger";
import { ROOT_PRINCIPAL, type Principal } from "../keys/principals";
import { authorize, checkRouteAccess } from "./authorize";
import { routeAccess } from "./route-access";
import { findUnsafeJson, findUnsafeKey } from "./unsafe-input";

type RouteContext<TParams> = { params: Promise<TParams> };

export interface RouteInput<TParams> {
  request: Request;
  params: TParams;
  /** Who the request acts as (the root on public routes, which use no session). */
  caller: Principal;
}

/**
 * The one route-handler wrapper: authorise (who the caller is, and whether its key may use this route:
 * route-access.ts) -> run -> turn any error into the WAHA-shaped body. A handler parses its input with
 * readBody/readQuery, calls one service and responds.
 */
export function apiRoute<TParams = Record<string, never>>(
  run: (input: RouteInput<TParams>) => Promise<Response>,
  options: { public?: boolean } = {},
) {
  return async (request: Request, context: RouteContext<TParams>): Promise<Response> => {
    try {
      const caller = options.public ? ROOT_PRINCIPAL : await authorize(request);
      const params = validate(ZPathParamsSchema, (await context.params) ?? {}, "path") as TParams & { session?: string };
      if (caller.kind !== "admin") {
        checkRouteAccess(caller, routeAccess(request.method, new URL(request.url).pathname), { request, session: params.session });
      }
      return await run({ request, params, caller });
    } catch (error) {
      return errorResponse(error, request);
    }
  };
}

/**
 * Path parameters every route shares: a `[session]` segment is a session name, so an impossible name
 * is a 400 before any service (or the engine host's per-name state) sees it.
 */
const ZPathParamsSchema = z.looseObject({ session: ZSessionNameSchema.optional() });

export function errorResponse(error: unknown, request?: Request): Response {
  if (isAppError(error)) return json(errorBody(error), error.statusCode);
  // Never echo the request or a stack trace to the client; the log has the details.
  getLogger().error({ err: error, method: request?.method, url: request?.url }, "unhandled error in route");
  return json(errorBody(new AppError("internal_error", "Internal server error")), 500);
}

/** JSON response; `null` and `undefined` give an empty body, as WAHA (NestJS) does. */
export function json(data: unknown, status = 200, headers?: HeadersInit): Response {
  if (data === null || data === undefined) return new Response(null, { status, headers });
  const text = JSON.stringify(data);
  const responseHeaders = new Headers(headers);
  if (!responseHeaders.has("content-type")) responseHeaders.set("content-type", "application/json");
  const response = new Response(text, { status, headers: responseHeaders });
  jsonTexts.set(response, text);
  return response;
}

/**
 * The text of a json() response, so the custom server's direct path writes it as it is instead of
 * reading the body stream back (that read costs more than the rest of a small request).
 */
export function jsonText(response: Response): string | undefined {
  return jsonTexts.get(response);
}

const jsonTexts = new WeakMap<Response, string>();

export interface ReadBodyOptions {
  /**
   * Refuse a body whose top-level fields are all unknown (a typo such as `conifg`), even outside strict
   * mode: for a verb that replaces stored data, dropping them would store an empty value instead.
   */
  requireKnownField?: boolean;
}

/**
 * Parse a JSON body against `schema`. An empty body counts as `{}`. Oversized bodies, malformed JSON,
 * `__proto__` keys, lone surrogates, schema violations and (in strict mode) unknown fields are 400s
 * that name the problem.
 */
export async function readBody<TSchema extends z.ZodType>(
  request: Request,
  schema: TSchema,
  options: ReadBodyOptions = {},
): Promise<z.infer<TSchema>> {
  const { maxBodyBytes, strictMode } = getEnv();
  const text = await readText(request, maxBodyBytes);
  let input: unknown = {};
  if (text.trim() !== "") {
    try {
      input = JSON.parse(text);
    } catch (error) {
      throw new AppError("invalid_json", `Request body is not valid JSON: ${(error as Error).message}`);
    }
  }
  const unsafe = findUnsafeJson(input);
  if (unsafe.length) throw fieldIssuesError(unsafe);
  const output = validate(schema, input, "body");
  const unknown = findStrippedKeys(input, output);
  const topLevel = typeof input === "object" && input !== null ? Object.keys(input) : [];
  const onlyUnknown = options.requireKnownField && topLevel.length > 0 && topLevel.every((key) => unknown.includes(key));
  if (onlyUnknown || (strictMode && unknown.length)) {
    const details = unknown.map((field) => ({ field, message: `property ${field} should not exist` }));
    throw new AppError("validation_failed", details.map((d) => d.message).join("; "), { details });
  }
  return output;
}

/**
 * Parse the query string against `schema`. Repeated keys become arrays; `metadata.<key>=<value>`
 * pairs become a `metadata` object. The API key parameter is never part of the input.
 */
export function readQuery<TSchema extends z.ZodType>(request: Request, schema: TSchema): z.infer<TSchema> {
  const params = new URL(request.url).searchParams;
  const input: Record<string, unknown> = {};
  const metadata: Record<string, string> = {};
  for (const key of new Set(params.keys())) {
    if (key.toLowerCase() === "x-api-key") continue;
    const unsafe = findUnsafeKey(key.startsWith("metadata.") ? key.slice("metadata.".length) : key, [key]);
    if (unsafe.length) throw fieldIssuesError(unsafe);
    const values = params.getAll(key);
    if (key.startsWith("metadata.")) metadata[key.slice("metadata.".length)] = values[values.length - 1];
    else input[key] = values.length > 1 ? values : values[0];
  }
  if (Object.keys(metadata).length) input.metadata = metadata;
  return validate(schema, input, "query");
}

function validate<TSchema extends z.ZodType>(schema: TSchema, input: unknown, where: string): z.infer<TSchema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw fieldIssuesError(
    result.error.issues.map((issue) => ({
      field: issue.path.length ? issue.path.join(".") : where,
      message: issue.message,
    })),
  );
}

function fieldIssuesError(details: TFieldIssue[]): AppError {
  return new AppError("validation_failed", details.map((d) => `${d.field}: ${d.message}`).join("; "), { details });
}

/** Read the body as text, refusing more than `limit` bytes even when no Content-Length was sent. */
async function readText(request: Request, limit: number): Promise<string> {
  const tooLarge = () => new AppError("payload_too_large", `Request body is larger than the ${limit}-byte limit`);
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > limit) throw tooLarge();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read().catch(() => {
      // The client went away mid-upload: nobody will read the answer, and it is not a server fault.
      throw new AppError("request_aborted", "The client closed the connection before the body was received");
    });
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
