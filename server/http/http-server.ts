import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Level, Logger } from "pino";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { HTTP_REASON, httpErrorBody } from "@/lib/errors";
import { REQUEST_PATH_HEADER } from "@/lib/safe-callback-path";
import { bindToRequest, formatTraceparent, runInRequest, startTrace } from "../request-context";

/** The header the root layout reads its script nonce from (set here on every request, never trusted from outside). */
export const NONCE_HEADER = "x-nonce";

export interface HttpServerOptions {
  /** Next's request handler (or any other) behind this layer. */
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Next's dev server evaluates code (React Refresh): its policy must allow eval. */
  production: boolean;
  /** Longest time to receive a whole request, headers and body (a slow upload is cut off after it). */
  requestTimeoutMs: number;
  logger: Logger;
  /** The level of the one line logged per request (WAHA_HTTP_LOG_LEVEL). */
  httpLogLevel: Level;
}

/**
 * The custom server's own HTTP layer, in front of Next: it holds for every path, however a request is
 * routed. Security headers and a per-request CSP nonce on every response; the JSON error body on every
 * `/api` error (Next's own 404 page, its empty 405, next-auth's plain-text errors); an upload that goes
 * on after it was answered is cut off; slow requests are cut off. Each request runs in its own request
 * context (server/request-context.ts): its trace, continued from its `traceparent` or new.
 */
export function createHttpServer(options: HttpServerOptions): Server {
  // Node checks request timeouts on this interval (30 s by default, which would stretch a short timeout).
  const checkEveryMs = Math.max(250, Math.min(5_000, Math.floor(options.requestTimeoutMs / 4)));
  const server = createServer({ connectionsCheckingInterval: checkEveryMs }, (req, res) => {
    const trace = startTrace(req.headers.traceparent);
    // A command forwarded to its session's owner (cluster mode) goes on as a child of this request.
    req.headers.traceparent = formatTraceparent(trace);
    const { responded } = runInRequest(trace, () => {
      applySecurityHeaders(req, res, options.production);
      // The page gate sends a signed-out visitor to /login with the page asked for (server/auth/page-gate.ts).
      req.headers[REQUEST_PATH_HEADER] = req.url ?? "/";
      if (isApiPath(req.url)) enforceJsonErrors(req, res);
      closeUnreadRequests(req, res);
      logRequest(req, res, options.logger, options.httpLogLevel);
      options.handle(req, res).catch((error) => {
        options.logger.error({ err: error, method: req.method, url: req.url }, "unhandled error in the HTTP layer");
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      });
    });
    res.once("close", responded);
  });
  server.requestTimeout = options.requestTimeoutMs;
  server.headersTimeout = Math.min(options.requestTimeoutMs, 60_000);
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => answerClientError(error, socket));
  return server;
}

/** Node's own refusals (too slow, malformed, headers too large) in the error shape too, then the connection ends. */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const responding = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage?.headersSent ?? false;
  if (error.code === "ECONNRESET" || !socket.writable || responding) {
    socket.destroy();
    return;
  }
  const status = error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : error.code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
  const body = JSON.stringify(httpErrorBody(status, "request"));
  socket.end(
    `HTTP/1.1 ${status} ${HTTP_REASON[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export function contentSecurityPolicy(nonce: string, production: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'${production ? "" : " 'unsafe-eval'"}`,
    // React and Swagger UI set inline style attributes; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
};

/** A nonce's random bytes, cut from a pool refilled every NONCE_POOL_SIZE requests (one call to the CSPRNG, not one per request). */
const NONCE_BYTES = 16;
const NONCE_POOL_SIZE = 128;
let noncePool = Buffer.alloc(0);
let nonceOffset = 0;

function freshNonce(): string {
  if (nonceOffset + NONCE_BYTES > noncePool.length) {
    noncePool = randomBytes(NONCE_BYTES * NONCE_POOL_SIZE);
    nonceOffset = 0;
  }
  const nonce = noncePool.toString("base64", nonceOffset, nonceOffset + NONCE_BYTES);
  nonceOffset += NONCE_BYTES;
  return nonce;
}

function applySecurityHeaders(req: IncomingMessage, res: ServerResponse, production: boolean): void {
  const nonce = freshNonce();
  const policy = contentSecurityPolicy(nonce, production);
  // Next reads the nonce for its own inline scripts from the request's policy; the layout from NONCE_HEADER.
  req.headers["content-security-policy"] = policy;
  req.headers[NONCE_HEADER] = nonce;
  res.setHeader("Content-Security-Policy", policy);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}

function isApiPath(url: string | undefined): boolean {
  return url === "/api" || (url?.startsWith("/api/") ?? false) || (url?.startsWith("/api?") ?? false);
}

/**
 * An `/api` error answered by anything but our route wrapper (no route, wrong method, next-auth) is
 * rewritten to the JSON error body as its first byte is about to leave. JSON errors pass untouched.
 */
function enforceJsonErrors(req: IncomingMessage, res: ServerResponse): void {
  const { writeHead, write, end, flushHeaders } = res;
  let decided = false;
  let replaced = false;

  /** Called before the first byte leaves; true when our body replaced the response. */
  const replaceIfNotJson = (): boolean => {
    if (decided) return replaced;
    decided = true;
    const type = String(res.getHeader("content-type") ?? "");
    if (res.headersSent || res.statusCode < 400 || type.includes("application/json")) return false;
    replaced = true;
    const body = JSON.stringify(httpErrorBody(res.statusCode, `${req.method} ${req.url?.split("?")[0]}`));
    for (const name of ["content-type", "content-length", "content-encoding", "transfer-encoding", "etag", "vary", "x-nextjs-cache"]) {
      res.removeHeader(name);
    }
    res.setHeader("Content-Type", "application/json; charset=utf-8");
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Content-Length", Buffer.byteLength(body));
    writeHead.call(res, res.statusCode);
    (end as (chunk?: string) => ServerResponse).call(res, req.method === "HEAD" ? undefined : body);
    return true;
  };
  const callbackOf = (args: unknown[]) => args.find((arg): arg is () => void => typeof arg === "function");

  res.writeHead = function (statusCode: number, ...rest: unknown[]) {
    if (!decided) {
      res.statusCode = statusCode;
      const headers = rest.find((arg) => typeof arg === "object" && arg !== null);
      if (headers && !Array.isArray(headers)) {
        for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value as string);
      }
      if (replaceIfNotJson()) return res;
      const reason = typeof rest[0] === "string" ? rest[0] : undefined;
      return (writeHead as (code: number, reason?: string) => ServerResponse).call(res, statusCode, reason);
    }
    if (replaced) return res;
    return (writeHead as (...args: unknown[]) => ServerResponse).call(res, statusCode, ...rest);
  } as ServerResponse["writeHead"];
  res.flushHeaders = function () {
    if (!replaceIfNotJson()) flushHeaders.call(res);
  };
  res.write = function (...args: Parameters<ServerResponse["write"]>) {
    if (!replaceIfNotJson()) return write.apply(res, args);
    callbackOf(args)?.();
    return true;
  } as ServerResponse["write"];
  res.end = function (...args: Parameters<ServerResponse["end"]>) {
    if (!replaceIfNotJson()) return end.apply(res, args);
    callbackOf(args)?.();
    return res;
  } as ServerResponse["end"];
}

/**
 * One access log line per request at WAHA_HTTP_LOG_LEVEL, with the request's trace (URLs are redacted
 * on the way out, like every log line).
 */
function logRequest(req: IncomingMessage, res: ServerResponse, logger: Logger, level: Level): void {
  if (!logger.isLevelEnabled(level)) return;
  const started = performance.now();
  res.once(
    "close",
    bindToRequest(() => {
      const ms = Math.round(performance.now() - started);
      logger[level]({ method: req.method, url: req.url, status: res.statusCode, ms, finished: res.writableFinished }, "request completed");
    }),
  );
}

/** How long a client may go on uploading after it was answered (nginx's lingering timeout). */
const LINGER_MS = 5_000;

/**
 * An answer sent before the request body was read (a 401 to an upload, a 400 for its size): the rest
 * is drained for a moment, so a client still sending can read the answer, then the connection is cut.
 * Node alone would keep reading and discarding a slow upload until the request timeout.
 */
function closeUnreadRequests(req: IncomingMessage, res: ServerResponse): void {
  // A new request on this connection means the last body did arrive: its linger timer is moot.
  clearTimeout(lingering.get(req.socket));
  lingering.delete(req.socket);
  res.on("finish", () => {
    if (req.complete) return;
    // Discard the rest, as Node's own dump does; a reader left attached (Next's body stream) would
    // hold it back with backpressure and stall the upload.
    req.removeAllListeners("data");
    req.resume();
    const socket = req.socket;
    const timer = setTimeout(() => {
      lingering.delete(socket);
      if (!req.complete) socket.destroy();
    }, LINGER_MS);
    timer.unref();
    lingering.set(socket, timer);
  });
}

const lingering = new WeakMap<Socket, NodeJS.Timeout>();
