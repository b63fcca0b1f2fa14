import { AppError } from "@/lib/errors";
import type { TSessionAction } from "@/lib/api-keys";
import type { IncomingMessage } from "node:http";
import { dashboardCookieAccepted, dashboardCookieAuthorizes } from "../auth/session-token";
import { mayAct, ROOT_PRINCIPAL, type Principal, type PrincipalResolver } from "../keys/principals";
import { recall } from "../remember";
import { forwardedCaller } from "../request-context";
import type { RouteAccess } from "./route-access";

export interface AuthState {
  /** Resolves a presented key: the root key (WAHA_API_KEY) or a stored one (server/keys/). */
  keys: PrincipalResolver;
}

/** The API key from `X-Api-Key`, or `?x-api-key=` (the header wins when both are sent, as in WAHA). */
export function presentedApiKey(request: Request): string | null {
  return request.headers.get("x-api-key") ?? new URL(request.url).searchParams.get("x-api-key");
}

/**
 * Who the request acts as: the caller a forwarding worker vouched for (cluster mode), else the key it
 * presents, else a logged-in dashboard cookie (an admin). Throws 401 otherwise: an unknown, deactivated or
 * deleted key is no key.
 */
export async function authorize(request: Request): Promise<Principal> {
  const forwarded = forwardedCaller();
  if (forwarded) return forwarded;
  const principal = await recall<AuthState>("auth").keys.resolve(presentedApiKey(request));
  if (principal) return principal;
  if (await dashboardCookieAuthorizes(request)) return ROOT_PRINCIPAL;
  throw new AppError("unauthorized", "Unauthorized");
}

/**
 * The same for a Node request (the cluster's router, before it forwards one): null where authorize()
 * would answer 401.
 */
export async function callerOf(req: IncomingMessage, keys: Pick<PrincipalResolver, "resolve">): Promise<Principal | null> {
  const header = req.headers["x-api-key"];
  const presented = typeof header === "string" ? header : new URL(req.url ?? "/", "http://localhost").searchParams.get("x-api-key");
  const principal = await keys.resolve(presented);
  if (principal) return principal;
  const method = (req.method ?? "GET").toUpperCase();
  const sameOriginOnly = !["GET", "HEAD", "OPTIONS"].includes(method);
  return (await dashboardCookieAccepted(req.headers, { sameOriginOnly })) ? ROOT_PRINCIPAL : null;
}

/**
 * Throws unless `principal` may use the route (route-access.ts). A session key naming another session
 * gets the 404 a missing session gets (it learns nothing of the others); its own session without the
 * action, or an admin route, 403. A `list` route filters by the key's session itself; a `body` route checks
 * the session and action itself (requireSessionAction) once it has read the body.
 */
export function checkRouteAccess(principal: Principal, access: RouteAccess, where: { request: Request; session?: string }): void {
  if (principal.kind === "admin" || access === "any") return;
  if (access === "admin") throw new AppError("forbidden", "This API key may not use this route: it needs an admin key");
  // The route checks the body's session once parsed (another session is a 404 before any missing action).
  if (access.session === "body") return;
  if (access.session === "list") {
    if (!principal.actions[access.action]) throw missingAction(access.action);
    return;
  }
  const session = access.session === "path" ? where.session : (new URL(where.request.url).searchParams.get("session") ?? "default");
  requireSessionAction(principal, session ?? "", access.action);
}

/** Throws unless `principal` may do `action` on `session` (404 for another session, 403 without the action). */
export function requireSessionAction(principal: Principal, session: string, action: TSessionAction): void {
  const verdict = mayAct(principal, session, action);
  if (verdict === "other-session") throw new AppError("session_not_found", `Session '${session}' not found`);
  if (verdict === "missing-action") throw missingAction(action);
}

function missingAction(action: TSessionAction): AppError {
  return new AppError("forbidden", `This API key may not '${action}' on this session`);
}
