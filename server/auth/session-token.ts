import { getToken, type JWT } from "next-auth/jwt";
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

/**
 * Whether a REST request may act on the strength of the dashboard cookie. Besides a valid token,
 * a state-changing request must come from the dashboard's own origin: the cookie is SameSite=Lax,
 * and this also refuses other origins on the same site (another port of the same host).
 */
export async function dashboardCookieAuthorizes(request: Request): Promise<boolean> {
  const cookieHeader = request.headers.get("cookie");
  if (!cookieHeader) return false;
  if (!SAFE_METHODS.has(request.method.toUpperCase()) && !isSameOrigin(request)) return false;
  return (await readDashboardToken({ cookies: parseCookieHeader(cookieHeader) })) !== null;
}

function isSameOrigin(request: Request): boolean {
  const fetchSite = request.headers.get("sec-fetch-site");
  if (fetchSite && fetchSite !== "same-origin" && fetchSite !== "none") return false;
  const origin = request.headers.get("origin");
  if (!origin) return true; // not a browser cross-origin request: browsers send Origin on those
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
