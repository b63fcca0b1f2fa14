import type { ReactNode } from "react";
import { AppShell } from "@/components/shell/app-shell";
import { requireDashboardUser } from "@/server/auth/page-gate";
import { clusterNode } from "@/server/system/workers";

/** The gate of every dashboard page: 404 when the dashboard is off, /login without a valid login. */
export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await requireDashboardUser();
  // The Workers page is in the navigation in cluster mode only: a lone server has nothing to compare.
  return (
    <AppShell username={user.name} cluster={clusterNode() !== null}>
      {children}
    </AppShell>
  );
}
