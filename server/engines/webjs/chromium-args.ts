/**
 * Flags for every session's Chromium. On top of these, whatsapp-web.js adds `--user-agent` and
 * `--disable-blink-features=AutomationControlled`, and puppeteer its defaults (among them
 * `--disable-extensions` and `--disable-dev-shm-usage`, so they are not repeated here) and the profile.
 */
const REQUIRED_ARGS = [
  // We run as root, where Chromium refuses to start with its sandbox.
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/**
 * Measured per browser tree at `ready` against the WhatsApp Web double (Chromium 156, quiet machine,
 * 3 runs each, stable to 1 MiB): 9 processes, PSS 390 MiB, private dirty 127 MiB without these;
 * 7 processes, PSS 333 MiB, private dirty 80 MiB with them. They drop two renderers a headless session
 * never uses: the omnibox popup WebUI Chromium preloads (-50 MiB PSS) and the spare renderer it keeps
 * warm for the next navigation (-7 MiB). Unknown feature names are ignored, so they are safe across
 * versions; puppeteer merges every `--disable-features` flag, so operator ones still apply.
 * Tried and left out: --in-process-gpu and --no-zygote (more private memory, not less),
 * --renderer-process-limit=1 (only the spare renderer's saving), --disable-crashpad-for-testing (the
 * page fails to load), --js-flags=--max-old-space-size (a cap only turns a big account's heap growth
 * into renderer crashes, and the double's tiny page cannot show what the real WhatsApp Web needs).
 */
const MEMORY_ARGS = ["--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,SpareRendererForSitePerProcess"];

export interface ChromiumArgsOptions {
  /** `host:port` or `socks5://host:port`; null for a direct connection. */
  proxyServer: string | null;
  /** Operator or test flags (e.g. `--host-resolver-rules=...`), added last so they win. */
  extraArgs: readonly string[];
}

export function buildChromiumArgs({ proxyServer, extraArgs }: ChromiumArgsOptions): string[] {
  return [...REQUIRED_ARGS, ...MEMORY_ARGS, ...(proxyServer ? [`--proxy-server=${proxyServer}`] : []), ...extraArgs];
}
