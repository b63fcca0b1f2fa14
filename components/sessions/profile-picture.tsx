"use client";

import { useState } from "react";
import type { TSession } from "@/lib/session";
import { cn } from "@/components/ui/cn";

/**
 * The account's profile picture, served by Switchboard (GET /api/sessions/{name}/profile-picture), never
 * loaded from WhatsApp: the content security policy allows images of this origin only. The account id in
 * the address lets the browser keep it until another account logs in. Nothing shows while the session is
 * not logged in, or when the account has no picture (the request answers 404).
 */
export function ProfilePicture({ session, className }: { session: TSession; className?: string }) {
  const [missingFor, setMissingFor] = useState<string | null>(null);
  const account = session.status === "WORKING" ? (session.me?.id ?? null) : null;
  if (!account || missingFor === account) return null;
  return (
    // eslint-disable-next-line @next/next/no-img-element -- a small image of our own API; next/image would only re-serve it
    <img
      src={`/api/sessions/${encodeURIComponent(session.name)}/profile-picture?account=${encodeURIComponent(account)}`}
      alt=""
      width={32}
      height={32}
      data-testid="profile-picture"
      onError={() => setMissingFor(account)}
      className={cn("size-8 shrink-0 rounded-full bg-zinc-200 object-cover dark:bg-zinc-800", className)}
    />
  );
}
