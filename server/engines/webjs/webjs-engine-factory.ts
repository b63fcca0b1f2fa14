import type { Logger } from "pino";
import type wweb from "whatsapp-web.js";
import type { TSessionConfig } from "@/lib/session-config";
import type { EngineFactory } from "../engine";
import { buildChromiumArgs } from "./chromium-args";
import type { BrowserLookup } from "./find-chromium";
import { selectProxy, type GlobalProxySettings } from "./select-proxy";
import { removeSessionDir, sessionDirExists, sessionProfile } from "./session-profile";
import { WebjsEngine } from "./webjs-engine";

export interface WebjsEngineFactoryOptions {
  /** Root of all auth data: `<authDir>/<session>/session-<session>` is a session's Chromium profile. */
  authDir: string;
  /** Looks the browser up for each start, so one installed later is found without a restart. */
  findBrowser: () => BrowserLookup;
  /** Extra Chromium flags for every session's browser (operator flags, the test double's resolver rules). */
  browserArgs: string[];
  /** The WHATSAPP_PROXY_SERVER* settings; a session's `config.proxy` overrides them. */
  globalProxy: GlobalProxySettings | null;
  /** WAHA_CLIENT_DEVICE_NAME / WAHA_CLIENT_BROWSER_NAME; a session's `config.client` overrides them. */
  clientDefaults: { deviceName?: string; browserName?: string };
  logger: Logger;
  /**
   * Default `{ type: "none" }`. The library's default ("local") saves the first page it loads into
   * `.wwebjs_cache/` and later serves that copy instead of the live WhatsApp Web, and "remote" fetches
   * versions from the internet: both are wrong for a server that must load what web.whatsapp.com serves
   * (or, offline and in tests, the double).
   */
  webVersionCache?: wweb.WebCacheOptions;
  /** How long the library waits for WhatsApp Web to load before failing the start (library default 30 s). */
  authTimeoutMs?: number;
}

export function createWebjsEngineFactory(options: WebjsEngineFactoryOptions): EngineFactory {
  // Engines between start() and the end of stop(): the count the proxy list's round-robin uses.
  const running = new Set<object>();

  return {
    create({ session, config, onEvent }) {
      const token = {};
      return new WebjsEngine({
        session,
        onEvent,
        logger: sessionLogger(options.logger, session, config),
        browser: options.findBrowser(),
        profile: sessionProfile(options.authDir, session),
        client: {
          deviceName: config.client?.deviceName ?? options.clientDefaults.deviceName,
          browserName: config.client?.browserName ?? options.clientDefaults.browserName,
          webVersionCache: options.webVersionCache ?? { type: "none" },
          authTimeoutMs: options.authTimeoutMs,
        },
        launchSettings: () => {
          const proxy = selectProxy({
            session,
            sessionProxy: config.proxy,
            globalProxy: options.globalProxy,
            runningSessions: running.size,
          });
          running.add(token);
          return {
            args: buildChromiumArgs({ proxyServer: proxy?.server ?? null, extraArgs: options.browserArgs }),
            proxyCredentials: proxy?.credentials ?? null,
          };
        },
        onStopped: () => running.delete(token),
      });
    },

    removeAuthData: (session) => removeSessionDir(sessionProfile(options.authDir, session)),

    hasAuthData: (session) => sessionDirExists(sessionProfile(options.authDir, session)),
  };
}

/** `config.debug` turns on debug logs for that session only. */
function sessionLogger(logger: Logger, session: string, config: TSessionConfig): Logger {
  return logger.child({ session, engine: "WEBJS" }, config.debug ? { level: "debug" } : undefined);
}
