import { redirect } from "next/navigation";
import { requireDashboardEnabled } from "@/server/auth/page-gate";

export const dynamic = "force-dynamic";

export default function Home() {
  requireDashboardEnabled();
  redirect("/sessions");
}
