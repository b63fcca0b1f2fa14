import type { Metadata } from "next";
import { requireDashboardEnabled } from "@/server/auth/page-gate";
import { QrLinkView } from "./qr-link-view";

export const metadata: Metadata = { title: "Link WhatsApp" };
export const dynamic = "force-dynamic";

/**
 * The QR link (docs/dashboard.md, "API keys"): one session's live QR for a person without the dashboard
 * login. Public: what it shows is fetched with the control key in the link's fragment, which reaches
 * nothing but that session's lifecycle and pairing.
 */
export default async function QrLinkPage({ params }: { params: Promise<{ session: string }> }) {
  requireDashboardEnabled();
  const { session } = await params;
  return <QrLinkView session={session} />;
}
