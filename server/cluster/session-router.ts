import { createHmac, timingSafeEqual } from "node:crypto";
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import { AppError, errorBody } from "@/lib/errors";
import { ZSessionNameSchema } from "@/lib/session";
import type { Db } from "../db";
import { replayBody, type MatchedRoute } from "../http/direct-routes";
import { decodePrincipal, encodePrincipal, type Principal } from "../keys/principals";
import { setForwardedCaller } from "../request-context";
import { OwnerRoutes } from "./owner-routes";
import { routeOf } from "./session-owners";

/**
 * The header of a forwarded command: who forwarded it, when, for whom (the caller's principal, which the
 * forwarder resolved from its key or login), and an HMAC over all three and the request line.
 */
const HOP_HEADER = "x-switchboard-hop";
/** How long a forwarding signature is accepted (clocks of workers may differ this much, at most). */
const HOP_MAX_AGE_MS = 60_000;
const FORWARD_TIMEOUT_MS = 60_000;
/** Routes that answer from the database, so they need no live owner while a session fails over. */
const STORED_READS = new Set([
  "/api/sessions/[session]",
  "/api/sessions/[session]/history",
  "/api/sessions/[session]/webhooks/deliveries",
  "/api/sessions/[session]/webhooks/deliveries/[id]",
  "/api/sessions/[session]/webhooks/test",
]);
/** The deprecated routes that name their session in the JSON body. */
const BODY_NAMED = new Set(["/api/sessions/start", "/api/sessions/stop", "/api/sessions/logout"]);
/** Connection-level headers a proxy must not pass on (RFC 9110, 7.6.1). */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "content-length",
]);

export interface SessionRouterOptions {
  db: Db;
  workerId: string;
  /** The cluster's shared secret for signing forwarded commands (derived from the shared settings). */
  secret: string;
  /** Which route a path is (the direct-route table), for its `{session}` parameter. */
  match: (method: string, pathname: string) => MatchedRoute | null;
  /** Who a request acts as (authorize.ts' callerOf), null when it would be refused: that is answered here. */
  callerOf: (req: IncomingMessage) => Promise<Principal | null>;
  /** Whether this worker owns `name` under a lease it still holds (its own record, kept with every claim and release). */
  owns: (name: string) => boolean;
  /** Where a command for a session nobody runs should go: the placement's first worker. */
  placementOf: (name: string) => { id: string; url: string } | null;
  maxBodyBytes: number;
  logger: Logger;
}

/**
 * Runs every command on its session's owner (docs/cluster.md, "Routing"). In front of the route handlers:
 * a request naming a session owned by another live worker is forwarded to it once, signed, so the owner
 * runs it even if ownership changed meanwhile only by answering 409, which the forwarder retries once. While
 * a running session has no live owner (its worker died, a peer has not claimed yet), commands answer 503
 * with Retry-After and never run here. A command for a session nobody runs goes to the worker the
 * placement picks, so that concurrent commands on one name meet in one process.
 */
export class SessionRouter {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly routes: OwnerRoutes;

  constructor(private readonly options: SessionRouterOptions) {
    this.routes = new OwnerRoutes(options.workerId);
  }

  /** Answers `req` (forwarded, or refused for now) and returns true; false: handle it here. */
  async route(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = req.url ?? "/";
    if (!url.startsWith("/api/")) return false;
    const forwardedBy = this.takeHop(req);
    const method = req.method ?? "GET";
    const query = url.indexOf("?");
    const pathname = query === -1 ? url : url.slice(0, query);
    const matched = this.options.match(method, pathname);
    let body: Buffer | undefined;
    let name: unknown = matched?.params.session;
    if (pathname === "/api/screenshot") name = new URLSearchParams(url.slice(query + 1)).get("session") ?? "default";
    if (method === "POST" && BODY_NAMED.has(pathname)) {
      const read = await this.readBody(req);
      if (!read) return this.refuse(res, new AppError("payload_too_large", "The request body is too large"));
      body = read;
      replayBody(req, body);
      name = nameInBody(body);
    }
    // Impossible names are refused by the route itself, with the field named.
    if (!ZSessionNameSchema.safeParse(name).success) return false;
    const session = name as string;

    // This worker owns it under a lease it still holds, so no other worker can have claimed it: no need to ask.
    if (this.options.owns(session)) return false;
    if (forwardedBy !== null) {
      // Sent here as the owner, which this worker no longer is: the forwarder asks the database again.
      const route = await routeOf(this.options.db, session);
      if (route?.owner && route.owner.workerId !== this.options.workerId)
        return this.refuse(res, ownerChanged(session), { ownerChanged: true });
      return false;
    }
    const route = await this.routes.routeOf(session, () => routeOf(this.options.db, session));
    if (!route) return false;
    if (route.owner) return route.owner.workerId === this.options.workerId ? false : this.forward(req, res, route.owner.url, session, body);
    if (route.running) {
      if (method === "GET" && matched && STORED_READS.has(matched.pattern)) return false;
      const retryAfter = Math.max(1, Math.ceil(route.leaseLeftMs / 1000));
      return this.refuse(
        res,
        new AppError("service_unavailable", `Session '${session}' is moving to another worker; retry in ${retryAfter} s`),
        { retryAfterSeconds: retryAfter },
      );
    }
    if (method === "GET" || method === "HEAD") return false;
    const target = this.options.placementOf(session);
    if (!target || target.id === this.options.workerId) return false;
    return this.forward(req, res, target.url, session, body);
  }

  close(): void {
    this.agent.destroy();
  }

  /** A session's owner row changed (sb_owner): its kept route goes. */
  ownerChanged(session: string): void {
    this.routes.forget(session);
  }

  /** A worker joined, left or changed (sb_worker): every kept route goes. */
  workerChanged(): void {
    this.routes.forgetAll();
  }

  /** Whether the LISTEN connection hears those changes now: routes are kept only while it does. */
  setListening(listening: boolean): void {
    this.routes.setListening(listening);
  }

  /**
   * The worker that signed this request's hop header, or null; the header is removed either way. A valid
   * one's caller becomes the request's (request-context.ts), so the owner acts for whom the forwarder vouched.
   */
  private takeHop(req: IncomingMessage): string | null {
    const value = req.headers[HOP_HEADER];
    delete req.headers[HOP_HEADER];
    if (typeof value !== "string") return null;
    const [encodedFrom, at, encodedCaller, signature] = value.split(".");
    const from = Buffer.from(encodedFrom ?? "", "base64url").toString();
    const sentAt = Number(at);
    if (!from || !encodedCaller || !signature || !Number.isFinite(sentAt) || Math.abs(Date.now() - sentAt) > HOP_MAX_AGE_MS) return null;
    const expected = Buffer.from(this.sign(from, sentAt, req.method ?? "GET", req.url ?? "/", encodedCaller));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    const caller = decodePrincipal(encodedCaller);
    if (!caller) return null;
    setForwardedCaller(caller);
    return from;
  }

  private sign(from: string, sentAt: number, method: string, url: string, caller: string): string {
    return createHmac("sha256", this.options.secret).update(`${from}\n${sentAt}\n${method}\n${url}\n${caller}`).digest("base64url");
  }

  private async forward(req: IncomingMessage, res: ServerResponse, ownerUrl: string, session: string, body?: Buffer): Promise<boolean> {
    // A request without a valid key or login is refused here, by the route (401), and travels nowhere.
    const caller = await this.options.callerOf(req);
    if (!caller) return false;
    // A request without a body (most are GETs) goes on in this turn of the event loop: reading its empty
    // stream to the end would wait a turn, behind whatever else this worker has queued.
    const payload = body ?? (hasBody(req) ? await this.readBody(req) : NO_BODY);
    if (!payload) return this.refuse(res, new AppError("payload_too_large", "The request body is too large"));
    let answer = await this.send(req, ownerUrl, payload, caller);
    if (answer.status === 409 && answer.ownerChanged) {
      // Ownership moved while the command travelled (or a kept route was stale): ask once more where it runs now.
      this.routes.forget(session);
      const route = await this.routes.routeOf(session, () => routeOf(this.options.db, session));
      if (route?.owner?.workerId === this.options.workerId) {
        replayBody(req, payload);
        return false;
      }
      if (route?.owner) answer = await this.send(req, route.owner.url, payload, caller);
    }
    if (answer.error) {
      // It may be gone: the next command for this session asks the database where it runs.
      this.routes.forget(session);
      this.options.logger.warn({ err: answer.error, session, owner: ownerUrl }, "forwarding to the session's owner failed");
      return this.refuse(
        res,
        new AppError("service_unavailable", `The worker that runs session '${session}' did not answer; retry shortly`),
        { retryAfterSeconds: 1 },
      );
    }
    res.statusCode = answer.status;
    for (const [header, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(header)) res.setHeader(header, value);
    }
    res.end(answer.body);
    return true;
  }

  private send(
    req: IncomingMessage,
    ownerUrl: string,
    payload: Buffer,
    caller: Principal,
  ): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer; ownerChanged: boolean; error?: Error }> {
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    const sentAt = Date.now();
    const headers: Record<string, string | string[]> = {};
    for (const [header, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(header)) headers[header] = value;
    const encodedCaller = encodePrincipal(caller);
    headers[HOP_HEADER] = [
      Buffer.from(this.options.workerId).toString("base64url"),
      sentAt,
      encodedCaller,
      this.sign(this.options.workerId, sentAt, method, path, encodedCaller),
    ].join(".");
    if (payload.length || !["GET", "HEAD"].includes(method)) headers["content-length"] = String(payload.length);
    return new Promise((resolve) => {
      const failed = (error: Error) => resolve({ status: 503, headers: {}, body: Buffer.alloc(0), ownerChanged: false, error });
      const request = http.request(
        new URL(path, ownerUrl),
        { method, headers, agent: this.agent, timeout: FORWARD_TIMEOUT_MS },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("error", failed);
          response.on("end", () => {
            const answer = Buffer.concat(chunks);
            resolve({
              status: response.statusCode ?? 502,
              headers: response.headers,
              body: answer,
              ownerChanged: response.statusCode === 409 && response.headers[OWNER_CHANGED_HEADER] === "1",
            });
          });
        },
      );
      request.on("timeout", () => request.destroy(new Error(`no answer within ${FORWARD_TIMEOUT_MS} ms`)));
      request.on("error", failed);
      request.end(payload);
    });
  }

  /** The body, or null when it is larger than the server accepts. */
  private async readBody(req: IncomingMessage): Promise<Buffer | null> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > this.options.maxBodyBytes) return null;
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  private refuse(res: ServerResponse, error: AppError, options: { retryAfterSeconds?: number; ownerChanged?: boolean } = {}): true {
    res.statusCode = error.statusCode;
    res.setHeader("content-type", "application/json");
    if (options.retryAfterSeconds !== undefined) res.setHeader("retry-after", String(options.retryAfterSeconds));
    if (options.ownerChanged) res.setHeader(OWNER_CHANGED_HEADER, "1");
    res.end(JSON.stringify(errorBody(error)));
    return true;
  }
}

/** Marks a 409 as "not the owner any more" (not a 409 of the command itself). */
const OWNER_CHANGED_HEADER = "x-switchboard-owner-changed";

function ownerChanged(session: string): AppError {
  return new AppError("owner_changed", `Session '${session}' moved to another worker`);
}

const NO_BODY = Buffer.alloc(0);

/** Whether a body follows the request's headers (RFC 9112, 6.3: a length or a transfer coding says so). */
function hasBody(req: IncomingMessage): boolean {
  return req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;
}

/** `name` of a deprecated route's JSON body; undefined when unreadable (the route then says what is wrong). */
function nameInBody(body: Buffer): unknown {
  try {
    const parsed: unknown = JSON.parse(body.toString("utf8"));
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as { name?: unknown }).name : undefined;
  } catch {
    return undefined;
  }
}
