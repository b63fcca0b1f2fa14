import type { ConnectionHealth } from "./engine";

/** What each kind of lost connection means, in the words a FAILED session's reason uses (docs/session-health.md). */
const MEANING: Record<Exclude<ConnectionHealth, "connected">, string> = {
  connecting: "WhatsApp Web lost its connection and did not reconnect",
  conflict: "WhatsApp Web was opened elsewhere with this account",
  "logged-out": "the phone removed this linked device",
  blocked: "WhatsApp refuses this session",
};

/**
 * The reason for a session whose connection ended in `connection`; `evidence` names the library's
 * state or disconnect reason ("disconnected: CONFLICT", "state TIMEOUT for 10 s").
 */
export function connectionFaultReason(connection: Exclude<ConnectionHealth, "connected">, evidence: string): string {
  return `${MEANING[connection]} (${evidence})`;
}

/** Whether an automatic restart can help a connection that ended this way. */
export function restartHelps(connection: Exclude<ConnectionHealth, "connected">): boolean {
  return connection === "connecting" || connection === "conflict";
}
