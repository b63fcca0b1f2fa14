import type { IncomingHttpHeaders } from "node:http";
import type { JWT } from "next-auth/jwt";
import { dashboardAuth, type DashboardAuth } from "./dashboard-auth";

/**
 * The logged-in dashboard user behind a request, from the next-auth JWT cookie. One check for the
 * dashboard pages, the REST API (authorize()) and the Socket.IO handshake (server/realtime):
 *
 *   const user = await readDashboardToken({ cookies: parseCookieHeader(req.headers.cookie) });
 *
 * Null when the dashboard is off, the cookie is missing, expired or forged, or the credentials
 * changed since it was issued.
 */
export async function readDashboardToken(
  input: { cookies: Record<string, string>; headers?: Record<string, string> },
  auth: DashboardAuth = dashboardAuth(),
): Promise<JWT | null> {
  if (!auth.enabled) return null;
  let token: JWT | null = null;
  try {
    // Loaded on the first cookie to check: an API-key-only server never pays for it.
    const { getToken } = await import("next-auth/jwt");
    token = await getToken({
      // getToken reads `cookies` and, as a fallback, `headers.authorization`; a plain object is enough.
      req: { cookies: input.cookies, headers: input.headers ?? {} } as unknown as Parameters<typeof getToken>[0]["req"],
      secret: auth.secret,
      secureCookie: auth.secureCookies,
      logger: { error: () => undefined, warn: () => undefined, debug: () => undefined },
    });
  } catch {
    return null;
  }
  if (!token || token.sub !== auth.username || token.fp !== auth.credentialsFingerprint) return null;
  return token;
}

/** `a=1; b=2` -> `{ a: "1", b: "2" }` (values URI-decoded; the first of repeated names wins). */
export function parseCookieHeader(header: string | null | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || name in cookies) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      cookies[name] = decodeURIComponent(value);
    } catch {
      cookies[name] = value;
    }
  }
  return cookies;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Request headers as route handlers (Fetch API) or the live handshakes (Node's http module) hold them. */
export type HeaderSource = Headers | IncomingHttpHeaders;

/**
 * Whether a REST request may act on the strength of the dashboard cookie. Besides a valid token,
 * a state-changing request must come from the dashboard's own origin: the cookie is SameSite=Lax,
 * and this also refuses other origins on the same site (another port of the same host). A GET from
 * another origin may carry the cookie, but CORS keeps its response from that page.
 */
export async function dashboardCookieAuthorizes(request: Request): Promise<boolean> {
  return dashboardCookieAccepted(request.headers, { sameOriginOnly: !SAFE_METHODS.has(request.method.toUpperCase()) });
}

/**
 * The one cookie rule of the REST API and the live channels: a valid login, and, where the caller
 * asks for it, a request from the dashboard's own origin (isSameOrigin). The live channels always
 * ask: a WebSocket is not subject to CORS, so another origin's page could read the stream.
 */
export async function dashboardCookieAccepted(headers: HeaderSource, options: { sameOriginOnly: boolean }): Promise<boolean> {
  const cookieHeader = headerValue(headers, "cookie");
  if (!cookieHeader) return false;
  if (options.sameOriginOnly && !isSameOrigin(headers)) return false;
  return (await readDashboardToken({ cookies: parseCookieHeader(cookieHeader) })) !== null;
}

/**
 * Whether a browser sent this request from the page's own origin (scheme, host and port), judged by
 * `Sec-Fetch-Site` and `Origin` against the host the client addressed. `X-Forwarded-Host` counts
 * only because the custom server removes it unless a trusted proxy sent it (server/http/forwarded.ts).
 * No `Origin` at all is not a browser's cross-origin request (browsers send it on those, and on
 * every WebSocket handshake), so it passes.
 */
export function isSameOrigin(headers: HeaderSource): boolean {
  const fetchSite = headerValue(headers, "sec-fetch-site");
  if (fetchSite && fetchSite !== "same-origin" && fetchSite !== "none") return false;
  const origin = headerValue(headers, "origin");
  if (!origin) return true;
  // A chain of proxies may list several hosts; the first is the one the browser addressed.
  const host = headerValue(headers, "x-forwarded-host")?.split(",")[0].trim() || headerValue(headers, "host");
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

function headerValue(headers: HeaderSource, name: string): string | null {
  if (headers instanceof Headers) return headers.get(name);
  const value = headers[name];
  return Array.isArray(value) ? value.join(", ") : (value ?? null);
}
