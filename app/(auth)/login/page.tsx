import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { safeCallbackPath } from "@/lib/safe-callback-path";
import { currentDashboardUser, requireDashboardEnabled } from "@/server/auth/page-gate";
import { LoginView } from "./login-view";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string | string[] }> }) {
  requireDashboardEnabled();
  const { callbackUrl } = await searchParams;
  const target = safeCallbackPath(callbackUrl);
  if (await currentDashboardUser()) redirect(target);
  return <LoginView callbackUrl={target} />;
}
