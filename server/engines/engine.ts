import type { TMessageCapping, TReachoutTimelock } from "@/lib/account-restrictions";
import type { TSessionConfig } from "@/lib/session-config";
import type { TAccount, TPresence } from "@/lib/session";

/**
 * The narrow port between the EngineHost and a WhatsApp client implementation.
 * An engine is one session's client for one run: created by the factory, started once, stopped once.
 * It reports what happens through `onEvent`; it never decides lifecycle (restarts, watchdogs): the host does.
 */
export interface Engine {
  /** Launch the client. Resolves once launching is under way; progress arrives as events. */
  start(): Promise<void>;
  /** Tear everything down (browser and its whole process tree). Must be safe to call in any state. */
  stop(): Promise<void>;
  /** Unlink the device on the phone if the client is logged in. The host stops the engine afterwards. */
  logout(): Promise<void>;
  /** Ask the client for a fresh QR when the current one stopped rotating. */
  refreshQr(): Promise<void>;
  requestPairingCode(phoneNumber: string): Promise<string>;
  screenshot(): Promise<Buffer>;
  /** The logged-in account's profile picture, its bytes; null when it has none (or hides it). */
  profilePicture(): Promise<TProfilePicture | null>;
  /** Engine facts for the API's `engine` field (e.g. WWebVersion, state). */
  info(): Promise<Record<string, unknown>>;
  /**
   * What WhatsApp Web says about the account (LID, device JID, presence, restrictions, version). With
   * `fetch`, WhatsApp Web first asks WhatsApp for fresh restrictions. Rejects when the page cannot answer.
   */
  readAccount(options: { fetch: RestrictionKind | false }): Promise<AccountState>;
  /** Marks the account online or offline in WhatsApp Web; resolves with the presence the page then has. */
  setPresence(presence: TPresence): Promise<TPresence | null>;
  /**
   * The liveness probe: is the browser alive, is the page open, and what does the page say its
   * connection is. Resolves at once when the browser or page is gone; otherwise asks the page and
   * rejects if that fails. Never time-limited here: a hung page never answers, and the host decides
   * how long to wait.
   */
  probe(): Promise<EngineProbe>;
  /** The browser's process while it runs (for sampling its memory and CPU); null without one. */
  browserProcess(): BrowserProcess | null;
}

/** A running browser: its pid (also its process group) and the profile every one of its processes names. */
/** An image as served: its bytes and Content-Type. */
export interface TProfilePicture {
  bytes: Buffer;
  contentType: string;
}

export interface BrowserProcess {
  pid: number;
  profileDir: string;
}

/**
 * What a connection state means for the session, whatever the library calls it:
 * - connected: online;
 * - connecting: reconnecting or loading; fine for a short while;
 * - conflict: the account was opened elsewhere; a restart takes it back;
 * - logged-out: the phone removed this linked device; only a new link helps;
 * - blocked: WhatsApp refuses the account, the network or the version; a restart does not help.
 */
export type ConnectionHealth = "connected" | "connecting" | "conflict" | "logged-out" | "blocked";

export interface EngineProbe {
  /** The browser process runs and its DevTools connection is open. */
  browser: boolean;
  /** The page is open (not closed, not crashed). */
  page: boolean;
  /** The library's own connection state as the page reported it (e.g. CONNECTED); null when not asked or unknown. */
  state: string | null;
  /** What that state means; null when not asked. */
  connection: ConnectionHealth | null;
  /** What the page said about the account in the same round trip; null when not asked. */
  account: AccountState | null;
}

/** The restrictions whose state can be fetched from WhatsApp on demand (the timelock and capping routes). */
export type RestrictionKind = "reachoutTimelock" | "messageCapping";

/** What WhatsApp Web in the page says about the account, read in one round trip. */
export interface AccountState {
  /** The account logged in; null before login. */
  account: TAccount | null;
  /** The account's own presence (WhatsApp Web's availability); null when the page has none yet. */
  presence: TPresence | null;
  /** As read now: none enforced when WhatsApp Web stores none. */
  reachoutTimelock: TReachoutTimelock;
  /** As read now: no cap when WhatsApp Web stores none. */
  messageCapping: TMessageCapping;
  /** The WhatsApp Web version the page runs. */
  webVersion: string | null;
}

export type EngineEvent =
  /** A new QR value to scan (first one and every rotation). */
  | { type: "qr"; value: string; reason: string }
  /** Logged in. */
  | { type: "authenticated"; me: TAccount | null; reason: string }
  /** The account became known (can follow `authenticated`). */
  | { type: "me"; me: TAccount }
  /** What the page says about the account, read once it is ready (the probe reads it again each time). */
  | { type: "account"; state: AccountState }
  /**
   * The client is unusable. `restart` says whether trying again may help (not after a logout or auth
   * failure). `disconnect`: the library's own disconnect reason when WhatsApp Web ended the connection
   * (LOGOUT, CONFLICT, UNPAIRED, ...).
   */
  | { type: "failed"; reason: string; restart: boolean; disconnect?: string }
  /** The connection state changed after login (reconnecting, back online, ...). */
  | { type: "connection"; state: string; connection: ConnectionHealth }
  /** Every raw library event, for `engine.event`. */
  | { type: "raw"; event: string; data: unknown };

export interface EngineOptions {
  session: string;
  config: TSessionConfig;
  onEvent: (event: EngineEvent) => void;
}

export interface EngineFactory {
  /** Construct (no side effects until start()). */
  create(options: EngineOptions): Engine;
  /** Delete the session's auth data (used by logout and delete). Must not touch anything else. */
  removeAuthData(session: string): Promise<void>;
  /**
   * Delete only this machine's copy of the session's auth data (cluster mode: a session deleted through
   * another worker); a login saved for the cluster is not touched.
   */
  removeLocalCopy(session: string): Promise<void>;
  /** Whether the session has auth data, i.e. can start without a QR. */
  hasAuthData(session: string): Promise<boolean>;
}
