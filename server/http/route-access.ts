import type { TSessionAction } from "@/lib/api-keys";

/**
 * What each API route asks of its caller's key (docs/api.md, "API keys"), in one table:
 * - `admin`: the root key, an admin key or the dashboard login only (a session key: 403);
 * - `any`: any valid key;
 * - `{ action, session }`: an admin, or a session key of that session with that action. Where the
 *   session's name is: the path's `[session]`, the `session` query parameter (default `default`), the
 *   JSON body's `name` (the deprecated routes check session and action themselves once parsed), or `list`: the route
 *   lists sessions and shows a session key its own only.
 * A route missing here needs an admin (direct-routes.test.ts checks every route is listed).
 */
export type RouteAccess = "admin" | "any" | { action: TSessionAction; session: "path" | "query" | "body" | "list" };

const read = (session: "path" | "query" | "list" = "path") => ({ action: "read", session }) as const;
const control = { action: "control", session: "path" } as const;
const setting = { action: "setting", session: "path" } as const;

export const ROUTE_ACCESS: Readonly<Record<string, RouteAccess>> = {
  "GET /api/[session]/auth/qr": control,
  "POST /api/[session]/auth/request-code": control,
  "GET /api/openapi.json": "any",
  "GET /api/screenshot": read("query"),
  "POST /api/server/drain": "admin",
  "GET /api/server/environment": "admin",
  "GET /api/server/status": "admin",
  "POST /api/server/stop": "admin",
  "GET /api/server/version": "any",
  "GET /api/server/workers": "admin",
  "GET /api/version": "any",
  "GET /api/keys": "admin",
  "POST /api/keys": "admin",
  "PUT /api/keys/[id]": "admin",
  "DELETE /api/keys/[id]": "admin",
  "POST /api/keys/control": "admin",
  "POST /api/keys/media": "admin",
  "GET /api/sessions": read("list"),
  "POST /api/sessions": "admin",
  "GET /api/sessions/[session]": read(),
  "PUT /api/sessions/[session]": setting,
  "DELETE /api/sessions/[session]": { action: "delete", session: "path" },
  "GET /api/sessions/[session]/capping": read(),
  "GET /api/sessions/[session]/history": read(),
  "POST /api/sessions/[session]/logout": control,
  "GET /api/sessions/[session]/me": read(),
  "GET /api/sessions/[session]/profile-picture": read(),
  "GET /api/sessions/[session]/resources": read(),
  "POST /api/sessions/[session]/restart": control,
  "POST /api/sessions/[session]/start": control,
  "POST /api/sessions/[session]/stop": control,
  "GET /api/sessions/[session]/timelock": read(),
  "GET /api/sessions/[session]/webhooks/deliveries": read(),
  "GET /api/sessions/[session]/webhooks/deliveries/[id]": read(),
  "POST /api/sessions/[session]/webhooks/deliveries/[id]/redeliver": setting,
  "GET /api/sessions/[session]/webhooks/test": read(),
  "POST /api/sessions/[session]/webhooks/test": setting,
  "POST /api/sessions/logout": { action: "control", session: "body" },
  "POST /api/sessions/start": { action: "control", session: "body" },
  "POST /api/sessions/stop": { action: "control", session: "body" },
};

type Compiled = { method: string; segments: string[]; access: RouteAccess };

const COMPILED: Compiled[] = Object.entries(ROUTE_ACCESS).map(([route, access]) => {
  const [method, pattern] = route.split(" ");
  return { method, segments: pattern.split("/").slice(1), access };
});

/** The access a request needs: the table's entry whose pattern matches most literally; `admin` when none does. */
export function routeAccess(method: string, pathname: string): RouteAccess {
  const parts = pathname.split("/").slice(1);
  let best: Compiled | null = null;
  let bestLiterals = -1;
  for (const route of COMPILED) {
    if (route.method !== method || route.segments.length !== parts.length) continue;
    let literals = 0;
    let matches = true;
    for (let i = 0; i < parts.length && matches; i++) {
      const segment = route.segments[i];
      if (segment.startsWith("[")) continue;
      if (segment === parts[i]) literals++;
      else matches = false;
    }
    if (matches && literals > bestLiterals) {
      best = route;
      bestLiterals = literals;
    }
  }
  return best?.access ?? "admin";
}
