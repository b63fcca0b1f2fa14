import type { ConnectionHealth } from "../engine";

/**
 * whatsapp-web.js's connection states (WAState, `Socket.state` in the page) by what they mean for the
 * session. After `ready` the library itself accepts only CONNECTED, OPENING, PAIRING and TIMEOUT: any
 * other state becomes `disconnected(<state>)` and it closes the browser (docs/whatsapp-web.md, pitfall 4).
 */
const STATES: Record<string, ConnectionHealth> = {
  CONNECTED: "connected",
  OPENING: "connecting",
  PAIRING: "connecting",
  TIMEOUT: "connecting",
  UNLAUNCHED: "connecting",
  CONFLICT: "conflict",
  UNPAIRED: "logged-out",
  UNPAIRED_IDLE: "logged-out",
  TOS_BLOCK: "blocked",
  SMB_TOS_BLOCK: "blocked",
  PROXYBLOCK: "blocked",
  DEPRECATED_VERSION: "blocked",
};

/** An unknown state is treated as a connection in progress: it gets the reconnect grace, then a restart. */
export function classifyState(state: string | null): ConnectionHealth {
  return state !== null && Object.hasOwn(STATES, state) ? STATES[state] : "connecting";
}
