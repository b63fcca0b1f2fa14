import type { TSessionConfig } from "@/lib/session-config";

/** WHATSAPP_PROXY_SERVER / _LIST / _INDEX_PREFIX / _USERNAME / _PASSWORD, parsed by the caller. */
export interface GlobalProxySettings {
  /** One server (WHATSAPP_PROXY_SERVER) or the list (WHATSAPP_PROXY_SERVER_LIST), each `host:port`. */
  servers: string[];
  indexPrefix?: string;
  username?: string;
  password?: string;
}

export interface SelectedProxy {
  server: string;
  credentials: { username: string; password: string } | null;
}

export interface SelectProxyOptions {
  session: string;
  sessionProxy: TSessionConfig["proxy"];
  globalProxy: GlobalProxySettings | null;
  /** Sessions already running, for round-robin over the list (WAHA counts the manager's sessions). */
  runningSessions: number;
}

/**
 * The proxy for one session, with WAHA's rules (the proxy settings in docs/configuration.md):
 * `config.proxy` wins outright (its own credentials, never the global ones); otherwise a list entry
 * chosen by the number at the end of the session name when the name contains the index prefix
 * (`proxy-3` -> entry 3 modulo the list length), else round-robin by the number of running sessions.
 * WAHA skips the name rule for a trailing 0 (a truthiness slip); here `proxy-0` means entry 0.
 */
export function selectProxy({ session, sessionProxy, globalProxy, runningSessions }: SelectProxyOptions): SelectedProxy | null {
  if (sessionProxy) {
    return { server: sessionProxy.server, credentials: credentials(sessionProxy.username, sessionProxy.password) };
  }
  const servers = globalProxy?.servers.filter((server) => server.trim() !== "") ?? [];
  if (!globalProxy || servers.length === 0) return null;
  const index = indexFromName(session, globalProxy.indexPrefix) ?? runningSessions;
  return {
    server: servers[index % servers.length].trim(),
    credentials: credentials(globalProxy.username, globalProxy.password),
  };
}

function indexFromName(session: string, prefix: string | undefined): number | null {
  if (!prefix || !session.includes(prefix)) return null;
  const digits = /\d+$/.exec(session);
  return digits ? Number.parseInt(digits[0], 10) : null;
}

/** Chromium asks for proxy credentials only when the proxy demands them; a username alone is allowed. */
function credentials(username: string | null | undefined, password: string | null | undefined): SelectedProxy["credentials"] {
  return username ? { username, password: password ?? "" } : null;
}
