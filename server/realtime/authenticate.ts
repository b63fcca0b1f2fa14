import type { IncomingHttpHeaders } from "node:http";
import { dashboardCookieAccepted } from "../auth/session-token";
import { ROOT_PRINCIPAL, type Principal, type PrincipalResolver } from "../keys/principals";

/**
 * A live connection (Socket.IO handshake or WAHA's raw /ws) is let in with an API key (handshake
 * `auth.apiKey`, `X-Api-Key` header or `?x-api-key=`: the root key, an admin key, or a session key with
 * the `read` action, which then hears its own session only) or the dashboard's login cookie. Never
 * anonymously. The cookie counts only from the dashboard's own origin: a handshake is a GET, but what
 * follows is a stream (statuses, QR values, engine events) that no CORS rule keeps from another origin's page.
 * Resolves to the principal (with the key that gave it, null for the cookie), null when unknown, or
 * "forbidden" for a session key without `read`.
 */
export async function authenticateConnection(
  input: { headers: IncomingHttpHeaders; query: URLSearchParams; authKey?: unknown },
  keys: Pick<PrincipalResolver, "resolve">,
): Promise<{ principal: Principal; key: string | null } | "forbidden" | null> {
  const header = input.headers["x-api-key"];
  const presented =
    (typeof input.authKey === "string" ? input.authKey : null) ??
    (typeof header === "string" ? header : null) ??
    input.query.get("x-api-key");
  const principal = await keys.resolve(presented);
  if (principal?.kind === "session" && !principal.actions.read) return "forbidden";
  if (principal) return { principal, key: presented };
  return (await dashboardCookieAccepted(input.headers, { sameOriginOnly: true })) ? { principal: ROOT_PRINCIPAL, key: null } : null;
}

/**
 * The session a live client asked for (`*`: all), as its principal may hear it: a session key's `*` is its
 * own session; another session is null (refused as not found).
 */
export function audibleSession(principal: Principal, asked: string, all: string): string | null {
  if (principal.kind === "admin") return asked;
  if (asked === all) return principal.session;
  return asked === principal.session ? asked : null;
}
