import type { TSessionHealth } from "./session-health";

/**
 * What to do about a FAILED session, matching why it failed (its last reason and its health block), instead
 * of one text for every failure. Reasons are worded in server/engines/connection-faults.ts.
 */
export function failedSessionHint(reason: string | null, health: Pick<TSessionHealth, "failures" | "gaveUp" | "restart">): string {
  const why = reason ? ` (${reason})` : "";
  if (health.gaveUp)
    return `Failed ${health.failures} times in a row, so automatic restarts stopped${why}. Fix the cause, then start it by hand.`;
  if (reason?.includes("removed this linked device"))
    return "The phone removed this linked device: start the session and scan a new QR code.";
  if (reason?.includes("refuses this session"))
    return "WhatsApp refuses this account: restarting will not help. Check the number on the phone.";
  if (health.restart.at !== null) return `Failed${why}; it restarts by itself after a pause. Nothing to do unless it keeps failing.`;
  return `Failed${why} and will not restart by itself. Fix the cause, then start it.`;
}
