import { cookies, headers } from "next/headers";
import { AFTER_LOGIN_PATH, REQUEST_PATH_HEADER, safeCallbackPath } from "@/lib/safe-callback-path";
import { notFound, redirect } from "next/navigation";
import { dashboardAuth } from "./dashboard-auth";
import { readDashboardToken } from "./session-token";

/** For server components: 404 when the dashboard is disabled (WAHA_DASHBOARD_ENABLED=false). */
export function requireDashboardEnabled(): void {
  if (!dashboardAuth().enabled) notFound();
}

/** The logged-in dashboard user, or null. */
export async function currentDashboardUser(): Promise<{ name: string } | null> {
  const jar = await cookies();
  const token = await readDashboardToken({ cookies: Object.fromEntries(jar.getAll().map((c) => [c.name, c.value])) });
  return token?.sub ? { name: token.sub } : null;
}

/**
 * The gate of every dashboard page: 404 when disabled, to /login when not logged in, with the page asked
 * for as `callbackUrl` so the login returns to it (a path of this site only: lib/safe-callback-path.ts).
 */
export async function requireDashboardUser(): Promise<{ name: string }> {
  requireDashboardEnabled();
  const user = await currentDashboardUser();
  if (!user) redirect(await loginPath());
  return user;
}

async function loginPath(): Promise<string> {
  const asked = (await headers()).get(REQUEST_PATH_HEADER);
  if (!asked) return "/login";
  let url: URL;
  try {
    url = new URL(asked, "http://page.invalid");
  } catch {
    return "/login";
  }
  // The app router's own query parameter (a client-side navigation's flight request), not part of the page.
  url.searchParams.delete("_rsc");
  const target = safeCallbackPath(`${url.pathname}${url.search}`);
  return target === AFTER_LOGIN_PATH ? "/login" : `/login?callbackUrl=${encodeURIComponent(target)}`;
}
