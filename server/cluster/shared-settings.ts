import { createHash } from "node:crypto";
import type { Env } from "../env";

/**
 * The settings every worker of a cluster must share, as hashes by variable name (stored on the Worker row,
 * never the values). A worker whose hashes differ from a live peer's refuses to start and names them:
 * a different API key or dashboard secret would make a request's answer depend on the worker it reached.
 */
export function sharedSettings(env: Env, globalWebhook: unknown): Record<string, string> {
  const values: Record<string, string> = {
    WAHA_API_KEY: env.noApiKey ? "(none: WAHA_NO_API_KEY)" : (env.apiKey ?? ""),
    WAHA_DASHBOARD_ENABLED: String(env.dashboard.enabled),
    WAHA_DASHBOARD_USERNAME: env.dashboard.username,
    WAHA_DASHBOARD_PASSWORD: env.dashboard.password ?? "",
    NEXTAUTH_SECRET: env.dashboard.secret ?? "",
    "WHATSAPP_HOOK_* (the global webhook)": JSON.stringify(globalWebhook ?? null),
  };
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, hash(name, value)]));
}

/** The names whose hashes differ between two workers (a name only one of them has counts as different). */
export function differingSettings(mine: Record<string, string>, theirs: Record<string, string>): string[] {
  const names = new Set([...Object.keys(mine), ...Object.keys(theirs)]);
  return [...names].filter((name) => mine[name] !== theirs[name]).sort();
}

/** The key that signs commands forwarded between workers: only processes that hold the shared secrets can make one. */
export function forwardingSecret(env: Env): string {
  return createHash("sha256")
    .update(["switchboard-forwarding", env.apiKey ?? "", env.dashboard.secret ?? "", env.dashboard.password ?? ""].join("\u0000"))
    .digest("base64url");
}

function hash(name: string, value: string): string {
  return createHash("sha256").update(`switchboard-shared-setting\u0000${name}\u0000${value}`).digest("base64url");
}
