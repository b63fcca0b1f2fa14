import type wweb from "whatsapp-web.js";
import { cappingFromPage, timelockFromPage } from "@/lib/account-restrictions";
import type { TAccount, TPresence } from "@/lib/session";
import type { AccountState, RestrictionKind } from "../engine";

type Page = NonNullable<wweb.Client["pupPage"]>;

/**
 * The one place that talks to WhatsApp Web's own modules in the page. Everything the API reports from
 * the page (connection state, version, account, presence, restrictions) is read by readPageState() in
 * a single evaluate, which the liveness probe runs every interval. The module names and the shapes
 * WhatsApp Web stores are those of WhatsApp Web itself (the double in e2e/support/whatsapp-web-double/
 * provides the same); a module missing in some version reads as unknown, never as an error.
 */
export interface PageState {
  /** `Socket.state`, what `client.getState()` returns (CONNECTED, OPENING, TIMEOUT, ...); null while the page has none. */
  state: string | null;
  /** `Debug.VERSION`, what `client.getWWebVersion()` returns. */
  version: string | null;
  account: TAccount | null;
  /** `Stream.available`: whether WhatsApp Web has the account online. */
  presence: TPresence | null;
  /** What WhatsApp Web stores about the reachout timelock and the new-chat capping (user preferences), as stored. */
  timelock: unknown;
  capping: unknown;
}

/**
 * The scripts run in the page. They are JavaScript text, not functions: a bundler that keeps function
 * names (tsx does, for `npm run dev`) would wrap inner functions in a helper that exists only in Node.
 * `window.require` of a module WhatsApp Web lacks returns nothing or throws, depending on the version.
 */
const PAGE_HELPERS = `
  const loader = typeof window.require === "function" ? window.require : null;
  const attempt = (read) => { try { const value = read(); return value === undefined ? null : value; } catch { return null; } };
  const module = (name) => (loader ? attempt(() => loader(name)) : null);
  const text = (value) => (typeof value === "string" ? value : null);
  const presenceOf = (stream) => (stream && typeof stream.available === "boolean" ? (stream.available ? "online" : "offline") : null);
`;

const READ_STATE = `(async () => {
  ${PAGE_HELPERS}
  const serialized = (wid) => (wid ? text(wid._serialized) : null);
  const me = module("WAWebUserPrefsMeUser");
  const id = attempt(() => serialized(me.getMaybeMePnUser()));
  const device = attempt(() => me.getMaybeMeDevicePn());
  const conn = attempt(() => module("WAWebConnModel").Conn);
  const prefs = attempt(() => module("WAWebUserPrefsIndexedDBStorage").userPrefsIdb);
  const stored = async (utils, key) => {
    const storageKey = attempt(() => module(utils)[key]);
    if (!prefs || storageKey === null) return null;
    try {
      const value = await prefs.get(storageKey);
      return value === undefined ? null : value;
    } catch {
      return null;
    }
  };
  const account = id === null ? null : { id, pushName: conn ? text(conn.pushname) : null };
  if (account) {
    const lid = attempt(() => serialized(me.getMaybeMeLidUser()));
    const jid = device && typeof device.toJid === "function" ? attempt(() => text(device.toJid())) : null;
    if (lid !== null) account.lid = lid;
    if (jid !== null) account.jid = jid;
  }
  return {
    state: attempt(() => text(module("WAWebSocketModel").Socket.state)),
    version: attempt(() => text(window.Debug.VERSION)),
    account,
    presence: presenceOf(attempt(() => module("WAWebStreamModel").Stream)),
    timelock: await stored("WAWebReachoutTimelockUtils", "REACHOUT_TIMELOCK_IDB_KEY"),
    capping: await stored("WAWebIndividualNewChatMessageCappingLimitUtils", "NEW_CHAT_MESSAGE_CAPPING_IDB_KEY"),
  };
})()`;

/** WhatsApp Web's own jobs that fetch a restriction from WhatsApp and store it where READ_STATE reads it. */
const FETCH_JOBS: Record<RestrictionKind, [module: string, method: string]> = {
  reachoutTimelock: ["WAWebGetReachoutTimelockJob", "fetchReachoutTimelock"],
  messageCapping: ["WAWebGetNewChatMessageCappingInfoJob", "fetchOrUpdateCapStatus"],
};

/** Rejects when the page cannot run it (closed, crashed, navigating); never answers while the page hangs. */
export function readPageState(page: Page): Promise<PageState> {
  return page.evaluate(READ_STATE) as Promise<PageState>;
}

/**
 * Has WhatsApp Web fetch a restriction from WhatsApp (its own job, which stores the answer where
 * readPageState() reads it). A version without the job leaves the stored state as it is; a failed
 * fetch rejects.
 */
export async function fetchRestriction(page: Page, kind: RestrictionKind): Promise<void> {
  const [name, method] = FETCH_JOBS[kind];
  await page.evaluate(`(async () => {
    const job = typeof window.require === "function" ? window.require(${JSON.stringify(name)}) : null;
    if (job && typeof job[${JSON.stringify(method)}] === "function") await job[${JSON.stringify(method)}]();
  })()`);
}

/**
 * Marks the account online or offline as WhatsApp Web does when its window gains or loses focus
 * (`Stream.markAvailable`), and sends that presence to WhatsApp, which marking alone does not do in a
 * headless page (docs/whatsapp-web.md, pitfall 16). Resolves with the presence the page has then.
 */
export function setPagePresence(page: Page, presence: TPresence): Promise<TPresence | null> {
  const online = presence === "online";
  return page.evaluate(`(async () => {
    ${PAGE_HELPERS}
    const stream = attempt(() => module("WAWebStreamModel").Stream);
    const action = module("WAWebPresenceChatAction");
    if (${online}) {
      if (stream && typeof stream.markAvailable === "function") stream.markAvailable();
      await action.sendPresenceAvailable();
    } else {
      if (stream && typeof stream.markUnavailable === "function") stream.markUnavailable();
      await action.sendPresenceUnavailable();
    }
    return presenceOf(stream);
  })()`) as Promise<TPresence | null>;
}

/** What the API reports from one reading; `nowMs` decides whether a stored timelock is still enforced. */
export function toAccountState(page: PageState, nowMs: number): AccountState {
  return {
    account: page.account,
    presence: page.presence,
    reachoutTimelock: timelockFromPage(page.timelock, nowMs),
    messageCapping: cappingFromPage(page.capping),
    webVersion: page.version,
  };
}
