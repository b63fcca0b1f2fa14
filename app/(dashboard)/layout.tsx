import type { ReactNode } from "react";
import { AppShell } from "@/components/shell/app-shell";
import { requireDashboardUser } from "@/server/auth/page-gate";

/** The gate of every dashboard page: 404 when the dashboard is off, /login without a valid login. */
export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await requireDashboardUser();
  return <AppShell username={user.name}>{children}</AppShell>;
}
