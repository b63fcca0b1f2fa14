import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentDashboardUser, requireDashboardEnabled } from "@/server/auth/page-gate";
import { LoginView } from "./login-view";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  requireDashboardEnabled();
  const { callbackUrl } = await searchParams;
  const target = safeCallback(callbackUrl);
  if (await currentDashboardUser()) redirect(target);
  return <LoginView callbackUrl={target} />;
}

/** Only paths on this site: never an absolute URL or `//host` (an open redirect). */
function safeCallback(value: string | undefined): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\") || value.startsWith("/login")) return "/sessions";
  return value;
}
