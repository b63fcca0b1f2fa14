import type { IncomingHttpHeaders } from "node:http";
import { dashboardCookieAccepted } from "../auth/session-token";
import { apiKeyMatches, type ApiKeyCheck } from "../http/api-key";

/**
 * A live connection (Socket.IO handshake or WAHA's raw /ws) is let in with the API key (handshake
 * `auth.apiKey`, `X-Api-Key` header or `?x-api-key=`) or the dashboard's login cookie. Never anonymously.
 * The cookie counts only from the dashboard's own origin: a handshake is a GET, but what follows is a
 * stream (statuses, QR values, engine events) that no CORS rule keeps from another origin's page.
 */
export async function authenticateConnection(
  input: { headers: IncomingHttpHeaders; query: URLSearchParams; authKey?: unknown },
  apiKey: ApiKeyCheck,
): Promise<boolean> {
  const header = input.headers["x-api-key"];
  const presented =
    (typeof input.authKey === "string" ? input.authKey : null) ??
    (typeof header === "string" ? header : null) ??
    input.query.get("x-api-key");
  if (presented !== null && apiKeyMatches(presented, apiKey)) return true;
  if (apiKey === null) return true; // WAHA_NO_API_KEY
  return dashboardCookieAccepted(input.headers, { sameOriginOnly: true });
}
