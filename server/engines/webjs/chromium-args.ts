/**
 * Flags for every session's Chromium. whatsapp-web.js adds `--user-agent` and
 * `--disable-blink-features=AutomationControlled`; puppeteer adds its own defaults and the profile dir.
 */
const BASE_ARGS = [
  // We run as root, where Chromium refuses to start with its sandbox.
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Measured with the WhatsApp Web double: see the report in MEMORY.md beside this file. */
export const MEMORY_ARGS = [
  "--disable-extensions",
  // Small /dev/shm in containers makes renderers crash; /tmp has room.
  "--disable-dev-shm-usage",
];

export interface ChromiumArgsOptions {
  /** `host:port` or `socks5://host:port`; null for a direct connection. */
  proxyServer: string | null;
  /** Operator or test flags (e.g. `--host-resolver-rules=...`), added last so they win. */
  extraArgs: readonly string[];
}

export function buildChromiumArgs({ proxyServer, extraArgs }: ChromiumArgsOptions): string[] {
  return [...BASE_ARGS, ...MEMORY_ARGS, ...(proxyServer ? [`--proxy-server=${proxyServer}`] : []), ...extraArgs];
}
