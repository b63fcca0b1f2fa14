import type { IncomingHttpHeaders } from "node:http";
import { parseCookieHeader, readDashboardToken } from "../auth/session-token";
import { apiKeyMatches, type ApiKeyCheck } from "../http/api-key";

/**
 * A live connection (Socket.IO handshake or WAHA's raw /ws) is let in with the API key (handshake
 * `auth.apiKey`, `X-Api-Key` header or `?x-api-key=`) or the dashboard's login cookie. Never anonymously.
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
  if (!input.headers.cookie) return false;
  return (await readDashboardToken({ cookies: parseCookieHeader(input.headers.cookie) })) !== null;
}
