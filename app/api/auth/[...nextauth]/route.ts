import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { AppError } from "@/lib/errors";
import { buildAuthOptions } from "@/server/auth/auth-options";
import { dashboardAuth } from "@/server/auth/dashboard-auth";
import { isKnownBrowser, knownBrowserCookie, knownBrowserCookieName } from "@/server/auth/known-browser";
import { clientAddress, loginRateLimiter } from "@/server/auth/login-rate-limit";
import { errorResponse } from "@/server/http/handler";

type Context = { params: Promise<{ nextauth: string[] }> };

/**
 * The next-auth endpoints the dashboard calls (lib/api-client.ts). The rest stay closed: their pages
 * are ours, and `_log` would let anyone write into the server's log.
 */
const DASHBOARD_AUTH_ROUTES = new Set(["GET csrf", "GET session", "GET providers", "POST callback/credentials", "POST signout"]);

/**
 * next-auth (v4) for the dashboard login, wrapped to refuse everything when the dashboard is off
 * and to throttle failed logins per client address: a refused attempt is a WAHA-shaped 429 with
 * Retry-After, which the login page shows. A successful login marks the browser as known, which
 * exempts it from the throttle's global ceiling (server/auth/login-rate-limit.ts).
 */
async function handle(request: NextRequest, context: Context): Promise<Response> {
  try {
    const auth = dashboardAuth();
    if (!auth.enabled) throw new AppError("not_found", "The dashboard is disabled (WAHA_DASHBOARD_ENABLED=false)");

    const { nextauth = [] } = await context.params;
    if (!DASHBOARD_AUTH_ROUTES.has(`${request.method} ${nextauth.join("/")}`)) {
      throw new AppError("not_found", `Cannot ${request.method} /api/auth/${nextauth.join("/")}`);
    }
    // next-auth reads POST bodies as forms and throws on anything else.
    if (request.method === "POST" && !request.headers.get("content-type")?.startsWith("application/x-www-form-urlencoded")) {
      throw new AppError("bad_request", "Content-Type must be application/x-www-form-urlencoded");
    }
    const isLogin = request.method === "POST" && nextauth[0] === "callback" && nextauth[1] === "credentials";
    if (!isLogin) return await NextAuth(request, context, buildAuthOptions(auth));

    const limiter = loginRateLimiter();
    const address = clientAddress(request.headers);
    const knownBrowser = isKnownBrowser(auth, request.cookies.get(knownBrowserCookieName(auth))?.value, Date.now());
    const verdict = limiter.check(address, { knownBrowser });
    if (!verdict.allowed) {
      const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
      const refusal = new AppError("too_many_requests", `Too many failed logins. Try again in ${seconds} s.`, {
        extra: { retryAfter: seconds },
      });
      const response = errorResponse(refusal);
      response.headers.set("Retry-After", String(seconds));
      return response;
    }
    let checked: boolean | null = null;
    const response = await NextAuth(request, context, buildAuthOptions(auth, { onCredentialsChecked: (ok) => (checked = ok) }));
    if (checked === false) limiter.recordFailure(address);
    if (checked === true) {
      limiter.recordSuccess(address);
      response.headers.append("Set-Cookie", knownBrowserCookie(auth, Date.now()));
    }
    return response;
  } catch (error) {
    return errorResponse(error, request);
  }
}

export { handle as GET, handle as POST };
export const dynamic = "force-dynamic";
