import { cookies } from "next/headers";
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

/** The gate of every dashboard page: 404 when disabled, to /login when not logged in. */
export async function requireDashboardUser(): Promise<{ name: string }> {
  requireDashboardEnabled();
  const user = await currentDashboardUser();
  if (!user) redirect("/login");
  return user;
}
