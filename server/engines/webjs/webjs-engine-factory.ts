import type { Logger } from "pino";
import type { TSessionConfig } from "@/lib/session-config";
import type { EngineFactory } from "../engine";
import type { LoginStore } from "../login-store";
import { buildChromiumArgs } from "./chromium-args";
import type { BrowserLookup } from "./find-chromium";
import { selectProxy, type GlobalProxySettings } from "./select-proxy";
import { PortableLogin } from "./portable-login";
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
  /** Cluster mode: where logins are kept so sessions can move between workers (docs/cluster.md, "Portable sessions"). */
  logins?: { store: LoginStore; intervalMs: number; maxRawBytes: number } | null;
}

/** After login, the first save waits this long: Chromium writes Local Storage to disk in batches, seconds apart. */
const LOGIN_SETTLE_MS = 10_000;
/** A save that failed (the store is down) is tried again this soon. */
const LOGIN_RETRY_MS = 30_000;

export function createWebjsEngineFactory(options: WebjsEngineFactoryOptions): EngineFactory {
  // Engines between start() and the end of stop(): the count the proxy list's round-robin uses.
  const running = new Set<object>();
  const webVersion: WebVersionPolicy = options.webVersion ?? { cache: "none", cacheDir: "", pinned: null };

  return {
    create({ session, config, onEvent }) {
      const token = {};
      const logger = sessionLogger(options.logger, session, config);
      const profile = sessionProfile(options.authDir, session);
      const logins = options.logins;
      return new WebjsEngine({
        session,
        onEvent,
        logger,
        browser: options.findBrowser(),
        profile,
        portableLogin:
          logins &&
          new PortableLogin({
            profile,
            store: logins.store.forRun(session),
            intervalMs: logins.intervalMs,
            maxRawBytes: logins.maxRawBytes,
            settleMs: LOGIN_SETTLE_MS,
            retryMs: LOGIN_RETRY_MS,
            logger,
          }),
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

    removeAuthData: async (session) => {
      await removeSessionDir(sessionProfile(options.authDir, session));
      await options.logins?.store.remove(session);
    },

    removeLocalCopy: (session) => removeSessionDir(sessionProfile(options.authDir, session)),

    hasAuthData: (session) => sessionDirExists(sessionProfile(options.authDir, session)),
  };
}

/** `config.debug` turns on debug logs for that session only. */
function sessionLogger(logger: Logger, session: string, config: TSessionConfig): Logger {
  return logger.child({ session, engine: "WEBJS" }, config.debug ? { level: "debug" } : undefined);
}
