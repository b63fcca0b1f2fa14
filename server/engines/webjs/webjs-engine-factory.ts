import type { Logger } from "pino";
import type { TSessionConfig } from "@/lib/session-config";
import type { EngineFactory } from "../engine";
import { buildChromiumArgs } from "./chromium-args";
import type { BrowserLookup } from "./find-chromium";
import { selectProxy, type GlobalProxySettings } from "./select-proxy";
import { removeSessionDir, sessionDirExists, sessionProfile } from "./session-profile";
import { pinnedVersionProblem, webVersionOptions, type WebVersionPolicy } from "./web-version";
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
   * Which WhatsApp Web the page runs (web-version.ts). Default: no cache, the live page. The library's
   * own default ("local" in `.wwebjs_cache/`) would serve a stale copy without anyone choosing it, and
   * "remote" fetches versions from the internet; neither is used unless chosen here.
   */
  webVersion?: WebVersionPolicy;
  /** How long the library waits for WhatsApp Web to load before failing the start (library default 30 s). */
  authTimeoutMs?: number;
}

export function createWebjsEngineFactory(options: WebjsEngineFactoryOptions): EngineFactory {
  // Engines between start() and the end of stop(): the count the proxy list's round-robin uses.
  const running = new Set<object>();
  const webVersion: WebVersionPolicy = options.webVersion ?? { cache: "none", cacheDir: "", pinned: null };

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
          ...webVersionOptions(webVersion),
          authTimeoutMs: options.authTimeoutMs,
        },
        // Checked at every start: a copy cached meanwhile (or removed) counts from the next start on.
        versionProblem: pinnedVersionProblem(webVersion),
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
