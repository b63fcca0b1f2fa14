import type { Logger } from "pino";
import type wweb from "whatsapp-web.js";
import type { TAccount, TPresence } from "@/lib/session";
import { settleWithin, valueWithin } from "@/lib/timeout";
import { connectionFaultReason, restartHelps } from "../connection-faults";
import type { AccountState, BrowserProcess, Engine, EngineEvent, EngineProbe, RestrictionKind, TProfilePicture } from "../engine";
import { catchListenerFailures, type ListenerRegistry } from "./catch-listener-failures";
import { classifyState } from "./connection-state";
import type { BrowserLookup } from "./find-chromium";
import { eventData } from "./json-safe";
import { fetchRestriction, readPageState, setPagePresence, toAccountState } from "./page-state";
import { findBrowserProcesses, killBrowserProcesses } from "./process-tree";
import type { PortableLogin } from "./portable-login";
import type { SelectedProxy } from "./select-proxy";
import { clearProfileLock, removeSessionDir, type SessionProfile } from "./session-profile";

type Client = wweb.Client;

/**
 * whatsapp-web.js (with puppeteer) takes most of a second to import: loaded when the first session
 * starts, not at boot. Node caches the module, so later starts pay nothing.
 */
async function loadWhatsappWeb(): Promise<typeof wweb> {
  return (await import("whatsapp-web.js")).default;
}
type Browser = NonNullable<Client["pupBrowser"]>;
type Page = NonNullable<Client["pupPage"]>;

/** How long the browser may take to close gracefully (and a pending initialize() to give up) before SIGKILL. */
const CLOSE_GRACE_MS = 5_000;
/** Engine facts are nice to have: never let a busy page hold up the API. */
const INFO_TIMEOUT_MS = 2_000;

/** What the factory decides when the browser is launched. */
export interface LaunchSettings {
  args: string[];
  proxyCredentials: SelectedProxy["credentials"];
}

export interface WebjsEngineOptions {
  session: string;
  onEvent: (event: EngineEvent) => void;
  logger: Logger;
  /** The browser found for this start; without one, start() fails with the reason. */
  browser: BrowserLookup;
  profile: SessionProfile;
  client: Pick<wweb.ClientOptions, "deviceName" | "browserName" | "webVersion" | "webVersionCache" | "authTimeoutMs">;
  /** Why this start must not happen (a pinned WhatsApp Web version that is not cached); start() fails with it. */
  versionProblem?: string | null;
  /** Called once, by start(). */
  launchSettings: () => LaunchSettings;
  /** Called once, when stop() is done and no process of this engine is left. */
  onStopped: () => void;
  /** Cluster mode: the login is restored before the launch and saved while it runs and after it (docs/cluster.md). */
  portableLogin?: PortableLogin | null;
}

/**
 * One session's whatsapp-web.js Client and its Chromium, for one run (its pitfalls: docs/whatsapp-web.md).
 * It reports library events through `onEvent` and never restarts anything itself.
 */
export class WebjsEngine implements Engine {
  private client: Client | null = null;
  private browser: Browser | null = null;
  private page: Page | null = null;
  private browserPid: number | null = null;
  private initialization: Promise<void> = Promise.resolve();
  /** Set synchronously by the first stop(): from then on nothing is reported and nothing new is launched. */
  private stopRequested = false;
  private stopped: Promise<void> | null = null;
  /** A terminal failure was reported: the host is replacing this engine, so later library noise is dropped. */
  private failed = false;
  /** logout() is unlinking the device: the library closes the browser itself, which is no crash. */
  private unlinking = false;
  /** The phone removed the device: the profile goes once the browser is dead (docs/whatsapp-web.md, pitfall 10). */
  private loggedOut = false;
  /** The renderer of the page died; puppeteer keeps the page object, which answers nothing any more. */
  private pageCrashed = false;
  /** `ready` was emitted: from then on connection state changes are reported. */
  private ready = false;
  /** The library is closing the browser itself, after a disconnect (docs/whatsapp-web.md, pitfall 13). */
  private libraryClosing = false;
  private me: TAccount | null = null;
  /** Why the first QR of this run is shown when a saved login could not be restored. */
  private qrReason: string | null = null;

  constructor(private readonly options: WebjsEngineOptions) {}

  async start(): Promise<void> {
    if (this.client || this.stopRequested) throw new Error("A WEBJS engine can be started only once");
    const { browser, logger } = this.options;
    if (browser.path === null) throw new Error(browser.reason);
    if (this.options.versionProblem) throw new Error(this.options.versionProblem);
    const chromePath = browser.path;
    await this.clearLeftovers();
    const unrestored = await this.options.portableLogin?.restore();
    if (unrestored) this.qrReason = unrestored;
    const library = await loadWhatsappWeb();
    if (this.stopRequested) return;
    const launch = this.options.launchSettings();
    const client = this.createClient(library, chromePath, launch);
    this.client = client;
    this.listen(client);
    logger.debug({ args: launch.args }, "launching Chromium");
    // Runs in the background; offline it rejects without emitting any event, so its failure is reported here.
    this.initialization = client
      .initialize()
      .catch((error: unknown) => this.fail(`WhatsApp Web failed to start: ${describe(error)}`, true));
  }

  stop(): Promise<void> {
    this.stopRequested = true;
    this.stopped ??= this.teardown();
    return this.stopped;
  }

  async logout(): Promise<void> {
    if (!this.client?.pupPage || this.stopRequested) return;
    this.unlinking = true;
    await this.client.logout();
  }

  async refreshQr(): Promise<void> {
    // The library's own refresh on UNPAIRED_IDLE runs in Node and never works (docs/whatsapp-web.md, pitfall 7).
    await this.openClient().pupPage.evaluate(() => (window as unknown as WhatsAppWindow).require("WAWebCmd").Cmd.refreshQR());
  }

  async requestPairingCode(phoneNumber: string): Promise<string> {
    // The library wants international digits only ("12025550108").
    return this.openClient().requestPairingCode(phoneNumber.replace(/\D/g, ""), true);
  }

  async screenshot(): Promise<Buffer> {
    return Buffer.from(await this.openClient().pupPage.screenshot({ type: "png" }));
  }

  async profilePicture(): Promise<TProfilePicture | null> {
    const client = this.openClient();
    const id = (client.info as { wid?: { _serialized?: string } } | undefined)?.wid?._serialized;
    if (!id) return null;
    const url = await client.getProfilePicUrl(id);
    return url ? fetchProfilePicture(url) : null;
  }

  async info(): Promise<Record<string, unknown>> {
    const page = this.client?.pupPage;
    if (!page || this.stopRequested) return { WWebVersion: null, state: null };
    const read = await valueWithin(readPageState(page), INFO_TIMEOUT_MS, null);
    return { WWebVersion: read?.version ?? null, state: read?.state ?? null };
  }

  async probe(): Promise<EngineProbe> {
    const browser = this.browserAlive();
    const page = this.page !== null && !this.page.isClosed() && !this.pageCrashed;
    if (!browser || !page || this.stopRequested) return { browser, page, state: null, connection: null, account: null };
    const read = await readPageState(this.page!);
    return { browser, page, state: read.state, connection: classifyState(read.state), account: toAccountState(read, Date.now()) };
  }

  async readAccount(options: { fetch: RestrictionKind | false }): Promise<AccountState> {
    const page = this.openClient().pupPage;
    if (options.fetch) await fetchRestriction(page, options.fetch);
    return toAccountState(await readPageState(page), Date.now());
  }

  async setPresence(presence: TPresence): Promise<TPresence | null> {
    return setPagePresence(this.openClient().pupPage, presence);
  }

  browserProcess(): BrowserProcess | null {
    if (this.browserPid === null || !this.browserAlive()) return null;
    return { pid: this.browserPid, profileDir: this.options.profile.profileDir };
  }

  /** The DevTools connection is open and the process has not exited (puppeteer notices some deaths late). */
  private browserAlive(): boolean {
    if (!this.browser?.connected) return false;
    const child = this.browser.process();
    if (child && (child.exitCode !== null || child.signalCode !== null)) return false;
    if (this.browserPid === null) return true;
    try {
      process.kill(this.browserPid, 0);
      return true;
    } catch {
      return false;
    }
  }

  // ---- lifecycle ---------------------------------------------------------------------------------

  /** A crashed run may have left Chromium on this profile, and its lock, which would block the launch. */
  private async clearLeftovers(): Promise<void> {
    const { profile, logger } = this.options;
    const identity = { pid: null, profileDir: profile.profileDir };
    const leftovers = await findBrowserProcesses(identity);
    if (leftovers.length > 0) {
      logger.warn({ pids: leftovers }, "killing Chromium processes left on this session's profile");
      const survivors = await killBrowserProcesses(identity);
      if (survivors.length > 0) throw new Error(`Chromium processes ${survivors.join(", ")} still hold ${profile.profileDir}`);
    }
    await clearProfileLock(profile);
  }

  private createClient(library: typeof wweb, chromePath: string, launch: LaunchSettings): Client {
    const { session, profile } = this.options;
    const auth = new library.LocalAuth({ clientId: session, dataPath: profile.sessionDir });
    // LocalAuth's hooks are the library's only seams around a launch; it calls both again after a
    // logout navigation (Client.initialize, framenavigated).
    const beforeBrowserInitialized = auth.beforeBrowserInitialized.bind(auth);
    auth.beforeBrowserInitialized = async () => {
      // It re-creates the profile dir that a stopped engine is deleting after a LOGOUT (docs/whatsapp-web.md, pitfall 10).
      if (this.stopRequested) throw new Error("the engine is stopping");
      await beforeBrowserInitialized();
    };
    // Right after the launch, before the page loads: the first moment the browser exists.
    const afterBrowserInitialized = auth.afterBrowserInitialized.bind(auth);
    auth.afterBrowserInitialized = async () => {
      await afterBrowserInitialized();
      await this.watchBrowser();
    };
    return new library.Client({
      ...this.options.client,
      authStrategy: auth,
      proxyAuthentication: launch.proxyCredentials ?? undefined,
      puppeteer: {
        executablePath: chromePath,
        args: launch.args,
        // DevTools over a pipe, not a WebSocket: Chromium exits when the pipe closes, so a server that
        // is killed (kill -9, OOM) takes its browsers with it and leaves no page connected to WhatsApp.
        pipe: true,
        // The server's own shutdown stops sessions; puppeteer's SIGINT handler would exit the process
        // first. Its exit hook still kills the browsers if the process dies without stopping them.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      },
    });
  }

  /** Called again after a logout navigation (same browser and page): only the first call counts. */
  private async watchBrowser(): Promise<void> {
    const client = this.client!;
    if (this.browser || !client.pupBrowser || !client.pupPage) return;
    this.browser = client.pupBrowser;
    this.page = client.pupPage;
    this.browserPid = this.browser.process()?.pid ?? null;
    if (this.stopRequested) {
      await killBrowserProcesses({ pid: this.browserPid, profileDir: this.options.profile.profileDir });
      throw new Error("stopped while Chromium was launching");
    }
    catchListenerFailures(this.page as unknown as ListenerRegistry, this.onListenerFailure);
    this.browser.on("disconnected", this.onBrowserDisconnected);
    this.page.on("close", this.onPageClose);
    this.page.on("error", this.onPageCrash);
  }

  /**
   * WAHA's end(): detach every listener first so a client being torn down reports nothing, then close
   * gracefully, then SIGKILL whatever is left of the browser's process group or uses its profile.
   */
  private async teardown(): Promise<void> {
    const { logger, profile } = this.options;
    try {
      this.client?.removeAllListeners();
      this.browser?.off("disconnected", this.onBrowserDisconnected);
      this.page?.off("close", this.onPageClose);
      this.page?.off("error", this.onPageCrash);
      if (this.client) {
        // A second close while the library's own one runs would make puppeteer kill Chromium before
        // it has written the login to the profile (pitfall 13): then only wait for it to exit.
        const destroy = this.libraryClosing
          ? this.browserExited()
          : this.client.destroy().catch((error: unknown) => logger.debug({ err: error }, "destroy failed"));
        const closed = (await settleWithin(Promise.all([destroy, this.initialization]), CLOSE_GRACE_MS)).status !== "timed-out";
        if (!closed) logger.warn("Chromium did not close in time; killing it");
      }
      const survivors = await killBrowserProcesses({ pid: this.browserPid, profileDir: profile.profileDir });
      if (survivors.length > 0) logger.error({ pids: survivors }, "Chromium processes survived SIGKILL");
      await this.closePortableLogin();
      if (this.loggedOut) await removeSessionDir(profile);
    } finally {
      this.options.onStopped();
    }
  }

  /**
   * With the browser gone the profile is consistent: the last save of a login that is still linked; a
   * login the phone unlinked is removed from the store too, so no worker restores it.
   */
  private async closePortableLogin(): Promise<void> {
    const login = this.options.portableLogin;
    if (!login) return;
    try {
      await login.close({ save: this.ready && !this.loggedOut && !this.unlinking });
      if (this.loggedOut) await login.forget();
    } catch (error) {
      this.options.logger.warn({ err: error }, "the last save (or the removal) of the saved login failed");
    }
  }

  /** Resolves when the browser process has exited (at once if there is none). */
  private browserExited(): Promise<void> {
    const child = this.browser?.process();
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => child.once("exit", () => resolve()));
  }

  // ---- events ------------------------------------------------------------------------------------

  private listen(client: Client): void {
    // Every library event goes out raw (engine.event): tap emit() rather than keep a list of names.
    const emit = client.emit.bind(client);
    client.emit = (event: string | symbol, ...args: unknown[]) => {
      if (typeof event === "string") this.report({ type: "raw", event, data: eventData(args) });
      return emit(event, ...args);
    };
    client.on("qr", (qr: string) => {
      this.report({ type: "qr", value: qr, reason: this.qrReason ?? "qr" });
      this.qrReason = null;
    });
    // The library emits `authenticated` before it reads client.info, and `ready` right after (Client.js
    // onAppStateHasSyncedEvent); so `me` follows at `ready` unless this run already knew it.
    client.on("authenticated", () => this.report({ type: "authenticated", me: this.me, reason: "authenticated" }));
    client.on("ready", () => this.onReady(client));
    client.on("auth_failure", (message: unknown) => this.fail(`authentication failed: ${describe(message)}`, false));
    client.on("disconnected", (reason: unknown) => this.onDisconnected(String(reason)));
    client.on("change_state", (state: unknown) => this.onStateChange(String(state)));
  }

  /**
   * The library's client.info has the account's id and push name only: the page adds its LID and this
   * device's JID (and presence, restrictions, version), read before `me` is reported, so `me` comes once.
   * A page that does not answer in time leaves `me` to client.info alone.
   */
  private onReady(client: Client): void {
    this.ready = true;
    this.options.portableLogin?.loggedIn();
    const wid = client.info?.wid;
    // The LID and device JID read earlier belong to this account only if it is the same one.
    const known = wid && this.me?.id === wid._serialized ? this.me : {};
    const fromLibrary: TAccount | null = wid ? { ...known, id: wid._serialized, pushName: client.info.pushname ?? null } : null;
    const page = client.pupPage;
    const read = page ? valueWithin(readPageState(page), INFO_TIMEOUT_MS, null) : Promise.resolve(null);
    void read.then((pageState) => {
      if (!pageState) this.options.logger.debug("the page did not tell the account at ready; client.info only");
      const state = pageState ? toAccountState(pageState, Date.now()) : null;
      const fromPage = state?.account;
      const account = fromPage && (!fromLibrary || fromPage.id === fromLibrary.id) ? { ...fromLibrary, ...fromPage } : fromLibrary;
      if (account) this.reportAccount(account);
      if (state) this.report({ type: "account", state });
    });
  }

  /** Reports the account when it differs from the last one reported. */
  private reportAccount(me: TAccount): void {
    const known = this.me;
    if (known && known.id === me.id && known.lid === me.lid && known.jid === me.jid && known.pushName === me.pushName) return;
    this.me = me;
    this.report({ type: "me", me });
  }

  /**
   * The library's disconnect: LOGOUT (the phone removed the device, seen as a navigation), or a state it
   * does not accept after `ready`, after which it closes the browser itself (pitfall 4).
   */
  private onDisconnected(reason: string): void {
    // After any other disconnect the library destroys the client itself (docs/whatsapp-web.md, pitfall 13).
    this.libraryClosing = reason !== "LOGOUT";
    if (reason === "LOGOUT") {
      this.loggedOut = true;
      this.me = null;
      this.fail("logged out from the phone (disconnected: LOGOUT)", false, reason);
      return;
    }
    const connection = classifyState(reason);
    if (connection === "connected" || connection === "connecting") {
      // Not a state that names a fault (UNLAUNCHED, 'Max qrcode retries reached', ...).
      this.fail(`disconnected: ${reason}`, true, reason);
      return;
    }
    if (connection === "logged-out") {
      // Like LOGOUT: the link is gone for good, so is the profile once the browser is dead.
      this.loggedOut = true;
      this.me = null;
    }
    this.fail(connectionFaultReason(connection, `disconnected: ${reason}`), restartHelps(connection), reason);
  }

  /** After `ready` only: the host watches a connection that leaves CONNECTED (docs/session-health.md). */
  private onStateChange(state: string): void {
    if (this.ready) this.report({ type: "connection", state, connection: classifyState(state) });
  }

  private readonly onBrowserDisconnected = () => this.fail("Chromium exited or crashed (browser disconnected)", true);
  private readonly onPageClose = () => this.fail("the WhatsApp Web page was closed", true);
  private readonly onPageCrash = (error: Error) => {
    this.pageCrashed = true;
    this.fail(`the WhatsApp Web page crashed: ${error.message}`, true);
  };

  /** A library page listener threw (docs/whatsapp-web.md, pitfall 8). A failed re-inject leaves a dead page; the rest is noise. */
  private readonly onListenerFailure = (event: string | symbol, error: unknown) => {
    if (this.stopRequested || this.failed || this.unlinking) {
      this.options.logger.debug({ event: String(event), err: error }, "page listener failed while closing");
    } else if (event === "framenavigated") {
      this.fail(`WhatsApp Web could not be loaded after a navigation: ${describe(error)}`, true);
    } else {
      this.options.logger.warn({ event: String(event), err: error }, "a whatsapp-web.js page listener failed");
    }
  };

  private fail(reason: string, restart: boolean, disconnect?: string): void {
    if (this.failed || this.unlinking || this.stopRequested) return;
    this.options.logger.warn({ reason, restart }, "WhatsApp Web client failed");
    this.report(disconnect === undefined ? { type: "failed", reason, restart } : { type: "failed", reason, restart, disconnect });
    this.failed = true;
  }

  private report(event: EngineEvent): void {
    if (this.stopRequested || (this.failed && event.type !== "raw")) return;
    try {
      this.options.onEvent(event);
    } catch (error) {
      this.options.logger.error({ err: error, event: event.type }, "engine event listener failed");
    }
  }

  /** The client once its page exists (shortly after start), for commands that talk to WhatsApp Web. */
  private openClient(): Client & { pupPage: Page } {
    const client = this.client;
    if (!client?.pupPage || this.stopRequested) throw new Error("WhatsApp Web is not open: the session is not running");
    return client as Client & { pupPage: Page };
  }
}

/** The page's module loader of WhatsApp Web. */
interface WhatsAppWindow {
  require(module: "WAWebCmd"): { Cmd: { refreshQR(): void } };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A picture larger than this is not a WhatsApp profile picture (they are a few dozen kB). */
const PROFILE_PICTURE_MAX_BYTES = 2 * 1024 * 1024;
const PROFILE_PICTURE_TIMEOUT_MS = 10_000;

/**
 * Fetches the picture from WhatsApp's CDN (the URL getProfilePicUrl gave), from this server, so the dashboard
 * loads it from Switchboard and its content security policy allows no other site's images.
 */
async function fetchProfilePicture(url: string): Promise<TProfilePicture> {
  if (!url.startsWith("https://")) throw new Error("the profile picture's address is not https");
  const response = await fetch(url, { signal: AbortSignal.timeout(PROFILE_PICTURE_TIMEOUT_MS), redirect: "follow" });
  if (!response.ok) throw new Error(`WhatsApp answered HTTP ${response.status} for the profile picture`);
  const contentType = response.headers.get("content-type") ?? "";
  if (!/^image\/(jpeg|png|webp)$/.test(contentType.split(";")[0].trim()))
    throw new Error(`the profile picture is not an image (${contentType})`);
  const bytes = Buffer.from(await response.arrayBuffer());
  if (bytes.length > PROFILE_PICTURE_MAX_BYTES) throw new Error("the profile picture is too large");
  return { bytes, contentType: contentType.split(";")[0].trim() };
}
