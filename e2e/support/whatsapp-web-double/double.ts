import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { loadCertificate } from "./certificate";
import { DoubleError } from "./double-error";
import { createRequestHandler, loadPageFiles } from "./routes";

/**
 * The WhatsApp Web double: a local fake of web.whatsapp.com that the unmodified whatsapp-web.js
 * library runs against offline. The server plays WhatsApp's servers and the test plays the phone.
 * Design and pitfalls: docs/whatsapp-web.md. Usage: README.md beside this file.
 */

export interface DoubleOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Automatic ref rotation per unpaired page; 0 (default) rotates only on rotate(). */
  refIntervalMs?: number;
  /** After this many refs a page goes UNPAIRED_IDLE and shows no more QRs (pitfall 7). Default: unlimited. */
  maxRefs?: number;
  /** Extra delay between "connected" and "synced" (authenticated -> ready). Default 0. */
  syncDelayMs?: number;
  /** Where the self-signed certificate is cached. Default: <repo>/.cert */
  certDir?: string;
  /** The WhatsApp Web version the page says it is (`Debug.VERSION`). Default: DEFAULT_VERSION. */
  version?: string;
}

/** The version the page reports unless told otherwise; not the library's own default, which a local cache would look up. */
export const DEFAULT_VERSION = "2.3000.1023456789";

export interface DoublePhone {
  /** Phone number digits, e.g. "15550001111". */
  user: string;
  pushname: string;
}

/** The page's Socket.state as the server sees it; LOGGED_OUT until the page has navigated away. */
export type DoubleSessionState = "UNPAIRED" | "UNPAIRED_IDLE" | "CONNECTED" | "LOGGED_OUT";

export interface DoubleSessionInfo {
  sid: string;
  state: DoubleSessionState;
  /** The ref a phone may scan right now, null when nothing is scannable. */
  ref: string | null;
  refsIssued: number;
  user: string | null;
  device: string | null;
  /** The account's LID (digits), once paired. */
  lid: string | null;
  /** The last presence the page sent (WAWebPresenceChatAction), null before any. */
  presence: "online" | "offline" | null;
  presenceAt: number | null;
}

/** `notify: false`: WhatsApp changes what it holds but tells no page; only a fetch by the page finds out. */
export interface NotifyOption {
  notify?: boolean;
}

/** A reachout timelock as WhatsApp's servers hold it (seconds, as the API reports them). */
export interface DoubleTimelock {
  enforcementType: string;
  isActive: boolean;
  timeEnforcementEnds: number | null;
}

/** A new-chat message capping, in the API's names (the server sends WhatsApp's own field names to the page). */
export interface DoubleCapping {
  cappingStatus: string;
  totalQuota: number;
  usedQuota: number;
  /** Unix seconds. */
  cycleStart: number;
  cycleEnd: number;
  mvStatus?: string | null;
  oteStatus?: string | null;
}

/** Which linked devices the phone removes; every given field must match. */
export interface LogoutTarget {
  user?: string;
  sid?: string;
  device?: string;
}

/**
 * How WhatsApp Web learns that the phone removed the device (docs/whatsapp-web.md, pitfall 4):
 * "navigation" (default) is the logout command and a reload, disconnected('LOGOUT') with the browser
 * kept; "unpaired" sets the socket state to UNPAIRED, disconnected('UNPAIRED') and the library closes
 * the browser.
 */
export type LogoutVia = "navigation" | "unpaired";

/** The online pages a fault is injected into: those of a phone number, or one page; every given field must match. */
export interface FaultTarget {
  user?: string;
  sid?: string;
}

/** The faults a test can inject into online pages (README.md, "Faults"). */
export type DoubleFault = "drop" | "conflict" | "hang" | "unpaired";

export interface DoubleEventMap {
  /** qrPrefix: the start of the qr string the library builds from this ref. */
  ref: { sid: string; ref: string; qrPrefix: string };
  idle: { sid: string };
  code: { sid: string; code: string; phoneNumber: string };
  paired: { sid: string; user: string; device: string };
  restored: { sid: string; user: string; device: string };
  "local-logout": { sid: string; user: string; device: string };
  connected: { sid: string };
  disconnected: { sid: string };
  fault: { sid: string; fault: DoubleFault };
  /** The page sent a presence (the library's or Switchboard's sendPresence...). */
  presence: { sid: string; user: string; presence: "online" | "offline" };
}
export type DoubleEventName = keyof DoubleEventMap;
export type DoubleEvent = DoubleEventMap[DoubleEventName];

export interface WhatsAppWebDouble {
  port: number;
  /** https://127.0.0.1:<port>, also the base of the control API (/__double/...). */
  origin: string;
  /** Chromium flags that make https://web.whatsapp.com/ land on this double. */
  browserArgs: string[];
  /** One per connected page. */
  sessions(): DoubleSessionInfo[];
  /** qr: the library's whole qr string or just its ref. Rejects a stale or unknown ref, like a phone. */
  scan(qr: string, phone: DoublePhone): Promise<void>;
  /** phone defaults to the number the code was requested for. */
  enterCode(code: string, phone?: Partial<DoublePhone>): Promise<void>;
  /** A new ref for that session, or for every unpaired session. An idle session stays idle. */
  rotate(sid?: string): Promise<void>;
  /** The phone removes linked devices: live pages get disconnected('LOGOUT') then a fresh QR (or UNPAIRED, see LogoutVia). */
  logout(target: LogoutTarget, options?: { via?: LogoutVia }): Promise<void>;
  /**
   * The page's connection drops (socket state TIMEOUT, then OPENING while it retries). With a number it
   * reconnects that many ms later (back to CONNECTED, no restart needed); with null it never does.
   */
  dropConnection(target: FaultTarget, options: { reconnectAfterMs: number | null }): Promise<void>;
  /** The account is opened in another WhatsApp Web: socket state CONFLICT. */
  conflict(target: FaultTarget): Promise<void>;
  /** The page's main thread stops answering, for `forMs` or (null) for good. */
  hang(target: FaultTarget, options?: { forMs?: number | null }): Promise<void>;
  /**
   * WhatsApp restricts the account from messaging new contacts (a reachout timelock) for `endsInMs`
   * (default an hour): online pages are told at once, as by WhatsApp's push; a fetch answers it too.
   */
  startTimelock(target: FaultTarget, options?: { endsInMs?: number; enforcementType?: string } & NotifyOption): Promise<void>;
  /** WhatsApp lifts the account's timelock. */
  endTimelock(target: FaultTarget, options?: NotifyOption): Promise<void>;
  /** The account's new-chat capping; null: no capping info (no cap). Online pages are told at once. */
  setCapping(target: FaultTarget, capping: DoubleCapping | null, options?: NotifyOption): Promise<void>;
  /** The page's availability changes, as WhatsApp Web's does when its window gains or loses focus. */
  setAvailability(target: FaultTarget, available: boolean): Promise<void>;
  /** The WhatsApp Web version pages loaded from now on say they are. */
  setVersion(version: string): Promise<void>;
  /** The version pages loaded now say they are. */
  readonly version: string;
  /** Resolves with the first matching event emitted after the call. */
  waitFor<N extends DoubleEventName>(
    event: N,
    predicate?: (event: DoubleEventMap[N]) => boolean,
    timeoutMs?: number,
  ): Promise<DoubleEventMap[N]>;
  events: EventEmitter;
  close(): Promise<void>;
}

interface LinkedDevice {
  /** The page's credential, kept in its localStorage and sent when it connects. */
  token: string;
  device: string;
  user: string;
  pushname: string;
}

/** What WhatsApp's servers hold about an account, by phone number. */
interface AccountState {
  timelock: DoubleTimelock | null;
  capping: DoubleCapping | null;
}

interface Session {
  sid: string;
  stream: ServerResponse;
  presence: { presence: "online" | "offline"; at: number } | null;
  state: DoubleSessionState;
  ref: string | null;
  refsIssued: number;
  /** Refs since the page last asked for a fresh batch; compared with maxRefs. */
  refsInBatch: number;
  rotation: NodeJS.Timeout | null;
  linked: LinkedDevice | null;
  pairingCode: { code: string; phoneNumber: string } | null;
}

const DEFAULT_CERT_DIR = fileURLToPath(new URL("../../../.cert/", import.meta.url));
const DEFAULT_WAIT_MS = 10_000;
const DEFAULT_PUSHNAME = "Double Phone";
// WhatsApp's pairing-code alphabet: no 0, O, I or U.
const PAIRING_CODE_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTVWXYZ";

export async function startDouble(options: DoubleOptions = {}): Promise<WhatsAppWebDouble> {
  const [pem, pageFiles] = await Promise.all([loadCertificate(options.certDir ?? DEFAULT_CERT_DIR), loadPageFiles()]);
  const server = createServer({ key: pem, cert: pem });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  const double = new Double(options, port, async () => {
    // Event streams never end on their own.
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  server.on("request", createRequestHandler(double, pageFiles));
  return double;
}

/** The login of docs/whatsapp-web.md ("How a login unfolds"), seen from WhatsApp's servers. */
export class Double implements WhatsAppWebDouble {
  readonly origin: string;
  readonly browserArgs: string[];
  readonly events = new EventEmitter();

  private readonly openSessions = new Map<string, Session>();
  /** Linked devices by token; survives page reloads and browser restarts (LocalAuth restore). */
  private readonly devices = new Map<string, LinkedDevice>();
  private nextDeviceNumber = 1;
  private readonly accounts = new Map<string, AccountState>();
  private currentVersion: string;

  constructor(
    private readonly options: DoubleOptions,
    readonly port: number,
    private readonly closeServer: () => Promise<void>,
  ) {
    this.origin = `https://127.0.0.1:${port}`;
    this.browserArgs = [`--host-resolver-rules=MAP web.whatsapp.com 127.0.0.1:${port}`, "--ignore-certificate-errors"];
    this.currentVersion = options.version ?? DEFAULT_VERSION;
  }

  get version(): string {
    return this.currentVersion;
  }

  sessions(): DoubleSessionInfo[] {
    return [...this.openSessions.values()].map((session) => ({
      sid: session.sid,
      state: session.state,
      ref: session.ref,
      refsIssued: session.refsIssued,
      user: session.linked?.user ?? null,
      device: session.linked?.device ?? null,
      lid: session.linked ? lidOf(session.linked.user) : null,
      presence: session.presence?.presence ?? null,
      presenceAt: session.presence?.at ?? null,
    }));
  }

  async scan(qr: string, phone: DoublePhone): Promise<void> {
    const ref = qr.split(",")[0];
    const session = [...this.openSessions.values()].find((s) => s.state === "UNPAIRED" && s.ref === ref);
    if (!session) throw new DoubleError(409, `QR ref '${ref}' is stale or unknown`);
    this.pair(session, checkPhone(phone));
  }

  async enterCode(code: string, phone: Partial<DoublePhone> = {}): Promise<void> {
    const normalized = code.replace(/[-\s]/g, "").toUpperCase();
    const session = [...this.openSessions.values()].find((s) => isUnpaired(s) && s.pairingCode?.code === normalized);
    if (!session?.pairingCode) throw new DoubleError(409, `Pairing code '${code}' is stale or unknown`);
    this.pair(session, checkPhone({ user: phone.user ?? session.pairingCode.phoneNumber, pushname: phone.pushname ?? DEFAULT_PUSHNAME }));
  }

  async rotate(sid?: string): Promise<void> {
    if (sid === undefined) {
      for (const session of this.openSessions.values()) if (session.state === "UNPAIRED") this.issueRef(session);
      return;
    }
    const session = this.getSession(sid);
    if (!isUnpaired(session)) throw new DoubleError(409, `Session ${sid} is not waiting for a QR scan`);
    if (session.state === "UNPAIRED") this.issueRef(session);
  }

  async logout(target: LogoutTarget, options: { via?: LogoutVia } = {}): Promise<void> {
    if (target.user === undefined && target.sid === undefined && target.device === undefined) {
      throw new DoubleError(400, "logout needs a user, sid or device");
    }
    const targetSession = target.sid === undefined ? undefined : this.openSessions.get(target.sid);
    const removed = [...this.devices.values()].filter(
      (linked) =>
        (target.user === undefined || linked.user === target.user) &&
        (target.device === undefined || linked.device === target.device) &&
        (target.sid === undefined || targetSession?.linked === linked),
    );
    if (removed.length === 0) throw new DoubleError(404, `No linked device matches ${JSON.stringify(target)}`);

    for (const linked of removed) this.devices.delete(linked.token);
    // Devices that are offline are only forgotten: their next start needs a QR.
    for (const session of this.openSessions.values()) {
      if (session.linked && removed.includes(session.linked) && session.state === "CONNECTED") {
        session.state = "LOGGED_OUT";
        if (options.via === "unpaired") {
          send(session, "unpaired", {});
          this.emit("fault", { sid: session.sid, fault: "unpaired" });
        } else {
          send(session, "logout", {});
        }
      }
    }
  }

  async dropConnection(target: FaultTarget, options: { reconnectAfterMs: number | null }): Promise<void> {
    const reconnectAfterMs = options.reconnectAfterMs;
    if (reconnectAfterMs !== null && !(Number.isInteger(reconnectAfterMs) && reconnectAfterMs >= 0)) {
      throw new DoubleError(400, "reconnectAfterMs must be a whole number of ms, or null for never");
    }
    this.inject(target, "drop", { reconnectAfterMs });
  }

  async conflict(target: FaultTarget): Promise<void> {
    this.inject(target, "conflict", {});
  }

  async hang(target: FaultTarget, options: { forMs?: number | null } = {}): Promise<void> {
    const forMs = options.forMs ?? null;
    if (forMs !== null && !(Number.isInteger(forMs) && forMs >= 0))
      throw new DoubleError(400, "forMs must be a whole number of ms, or null");
    this.inject(target, "hang", { forMs });
  }

  async startTimelock(target: FaultTarget, options: { endsInMs?: number; enforcementType?: string } & NotifyOption = {}): Promise<void> {
    const endsInMs = options.endsInMs ?? 3600_000;
    if (!(Number.isInteger(endsInMs) && endsInMs > 0)) throw new DoubleError(400, "endsInMs must be a whole number of ms above 0");
    const timelock = {
      enforcementType: options.enforcementType ?? "RESTRICT_ALL_COMPANIONS",
      isActive: true,
      timeEnforcementEnds: Math.ceil((Date.now() + endsInMs) / 1000),
    };
    this.changeAccount(target, "timelock", { timelock }, options.notify);
  }

  async endTimelock(target: FaultTarget, options: NotifyOption = {}): Promise<void> {
    const user = this.userOf(target);
    const current = this.account(user).timelock;
    this.changeAccount(target, "timelock", { timelock: current ? { ...current, isActive: false } : null }, options.notify);
  }

  async setCapping(target: FaultTarget, capping: DoubleCapping | null, options: NotifyOption = {}): Promise<void> {
    if (capping !== null && (typeof capping.cappingStatus !== "string" || !Number.isInteger(capping.totalQuota))) {
      throw new DoubleError(400, "capping needs a cappingStatus and a whole totalQuota, or null");
    }
    this.changeAccount(target, "capping", { capping }, options.notify);
  }

  async setAvailability(target: FaultTarget, available: boolean): Promise<void> {
    if (typeof available !== "boolean") throw new DoubleError(400, "available must be true or false");
    this.inject(target, "availability", { available });
  }

  async setVersion(version: string): Promise<void> {
    if (!/^[0-9A-Za-z][0-9A-Za-z._-]*$/.test(version)) throw new DoubleError(400, `'${version}' is not a version`);
    this.currentVersion = version;
  }

  waitFor<N extends DoubleEventName>(
    event: N,
    predicate: (event: DoubleEventMap[N]) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<DoubleEventMap[N]> {
    return new Promise((resolve, reject) => {
      const listener = (payload: DoubleEventMap[N]) => {
        if (!predicate(payload)) return;
        clearTimeout(timer);
        this.events.off(event, listener);
        resolve(payload);
      };
      const timer = setTimeout(() => {
        this.events.off(event, listener);
        reject(new Error(`No '${event}' event from the WhatsApp Web double within ${timeoutMs} ms`));
      }, timeoutMs);
      this.events.on(event, listener);
    });
  }

  async close(): Promise<void> {
    for (const session of this.openSessions.values()) {
      stopRotation(session);
      session.stream.end();
    }
    await this.closeServer();
  }

  // ---- called by the page (routes.ts) ----

  /** A page opened its event stream: restore a known device, otherwise start showing QRs. */
  /** Returns the new session's sid. */
  openSession(stream: ServerResponse, token: string | null): string {
    const session: Session = {
      sid: randomUUID(),
      stream,
      presence: null,
      state: "UNPAIRED",
      ref: null,
      refsIssued: 0,
      refsInBatch: 0,
      rotation: null,
      linked: null,
      pairingCode: null,
    };
    this.openSessions.set(session.sid, session);
    this.emit("connected", { sid: session.sid });

    const linked = token === null ? undefined : this.devices.get(token);
    const syncDelayMs = this.options.syncDelayMs ?? 0;
    if (linked) {
      session.state = "CONNECTED";
      session.linked = linked;
      send(session, "hello", { sid: session.sid, syncDelayMs, restore: true, ...onlineData(linked) });
      this.emit("restored", { sid: session.sid, user: linked.user, device: linked.device });
    } else {
      send(session, "hello", { sid: session.sid, syncDelayMs, restore: false });
      this.startRefs(session);
    }
    return session.sid;
  }

  closeSession(sid: string): void {
    const session = this.openSessions.get(sid);
    if (!session) return;
    stopRotation(session);
    this.openSessions.delete(sid);
    this.emit("disconnected", { sid });
  }

  /** Cmd.refreshQR() in the page: a fresh batch of refs, also out of UNPAIRED_IDLE. */
  refreshQr(sid: string): void {
    const session = this.getSession(sid);
    if (isUnpaired(session)) this.startRefs(session);
  }

  requestPairingCode(sid: string, phoneNumber: string): string {
    const session = this.getSession(sid);
    if (!isUnpaired(session)) throw new DoubleError(409, `Session ${sid} is already paired`);
    if (!/^\d+$/.test(phoneNumber)) throw new DoubleError(400, `Phone number '${phoneNumber}' is not all digits`);
    const code = Array.from({ length: 8 }, () => PAIRING_CODE_ALPHABET[randomInt(PAIRING_CODE_ALPHABET.length)]).join("");
    session.pairingCode = { code, phoneNumber };
    this.emit("code", { sid, code, phoneNumber });
    return code;
  }

  /** A restriction fetch of the page (WhatsApp Web's timelock and capping jobs), in WhatsApp's field names. */
  restrictionsOf(sid: string): { timelock: DoubleTimelock | null; capping: Record<string, unknown> | null } {
    const linked = this.getSession(sid).linked;
    if (!linked) throw new DoubleError(409, `Session ${sid} is not paired`);
    const account = this.account(linked.user);
    return { timelock: account.timelock, capping: serverCapping(account.capping) };
  }

  /** The page sent a presence to WhatsApp. */
  recordPresence(sid: string, available: boolean): void {
    const session = this.getSession(sid);
    const presence = available ? "online" : "offline";
    session.presence = { presence, at: Date.now() };
    this.emit("presence", { sid, user: session.linked?.user ?? "", presence });
  }

  /** The HTML of the page, with the version it says it is. */
  pageHtml(template: string): string {
    return template.replace("{{version}}", this.currentVersion);
  }

  /** Socket.logout() in the page, i.e. client.logout(): the device unlinks itself. */
  logoutFromPage(sid: string): void {
    const session = this.getSession(sid);
    const linked = session.linked;
    if (!linked) throw new DoubleError(409, `Session ${sid} is not paired`);
    this.devices.delete(linked.token);
    session.state = "LOGGED_OUT";
    this.emit("local-logout", { sid, user: linked.user, device: linked.device });
  }

  // ---- internals ----

  /** The phone number of a target: its `user`, or the account of its page `sid`. */
  private userOf(target: FaultTarget): string {
    if (target.user !== undefined) return checkPhone({ user: target.user, pushname: "" }).user;
    if (target.sid === undefined) throw new DoubleError(400, "a restriction needs a user or sid");
    const linked = this.getSession(target.sid).linked;
    if (!linked) throw new DoubleError(409, `Session ${target.sid} is not paired`);
    return linked.user;
  }

  private account(user: string): AccountState {
    let account = this.accounts.get(user);
    if (!account) {
      account = { timelock: null, capping: null };
      this.accounts.set(user, account);
    }
    return account;
  }

  /**
   * Changes what WhatsApp holds about the account and (unless `notify` is false) pushes it to the
   * account's online pages, as WhatsApp's notifications do.
   */
  private changeAccount(target: FaultTarget, kind: "timelock", change: { timelock: DoubleTimelock | null }, notify?: boolean): void;
  private changeAccount(target: FaultTarget, kind: "capping", change: { capping: DoubleCapping | null }, notify?: boolean): void;
  private changeAccount(target: FaultTarget, kind: "timelock" | "capping", change: Partial<AccountState>, notify = true): void {
    const user = this.userOf(target);
    const account = this.account(user);
    Object.assign(account, change);
    if (!notify) return;
    const data = kind === "timelock" ? { timelock: account.timelock } : { capping: serverCapping(account.capping) };
    for (const session of this.openSessions.values()) {
      if (session.state === "CONNECTED" && session.linked?.user === user) send(session, kind, data);
    }
  }

  /** Sends a fault to every online page of the target; a target with none is a 404. */
  private inject(target: FaultTarget, fault: Exclude<DoubleFault, "unpaired"> | "availability", data: object): void {
    if (target.user === undefined && target.sid === undefined) throw new DoubleError(400, "a fault needs a user or sid");
    const pages = [...this.openSessions.values()].filter(
      (session) =>
        session.state === "CONNECTED" &&
        (target.user === undefined || session.linked?.user === target.user) &&
        (target.sid === undefined || session.sid === target.sid),
    );
    if (pages.length === 0) throw new DoubleError(404, `No online page matches ${JSON.stringify(target)}`);
    for (const session of pages) {
      send(session, fault, data);
      if (fault !== "availability") this.emit("fault", { sid: session.sid, fault });
    }
  }

  private startRefs(session: Session): void {
    stopRotation(session);
    session.refsInBatch = 0;
    this.issueRef(session);
    const intervalMs = this.options.refIntervalMs ?? 0;
    if (intervalMs > 0 && session.state === "UNPAIRED") {
      session.rotation = setInterval(() => this.issueRef(session), intervalMs);
    }
  }

  private issueRef(session: Session): void {
    if (session.refsInBatch >= (this.options.maxRefs ?? Infinity)) {
      // Pitfall 7: real WhatsApp runs out of refs too; the library then never shows another QR.
      stopRotation(session);
      session.state = "UNPAIRED_IDLE";
      session.ref = null;
      send(session, "idle", {});
      this.emit("idle", { sid: session.sid });
      return;
    }
    const ref = `2@${randomBytes(24).toString("base64")}`;
    session.state = "UNPAIRED";
    session.ref = ref;
    session.refsIssued += 1;
    session.refsInBatch += 1;
    send(session, "ref", { ref });
    this.emit("ref", { sid: session.sid, ref, qrPrefix: `${ref},` });
  }

  private pair(session: Session, phone: DoublePhone): void {
    const linked: LinkedDevice = {
      token: randomBytes(16).toString("hex"),
      device: `${phone.user}:${this.nextDeviceNumber++}`,
      user: phone.user,
      pushname: phone.pushname,
    };
    this.devices.set(linked.token, linked);
    stopRotation(session);
    session.state = "CONNECTED";
    session.ref = null;
    session.pairingCode = null;
    session.linked = linked;
    send(session, "paired", { token: linked.token, ...onlineData(linked) });
    this.emit("paired", { sid: session.sid, user: linked.user, device: linked.device });
  }

  private getSession(sid: string): Session {
    const session = this.openSessions.get(sid);
    if (!session) throw new DoubleError(404, `No session ${sid}`);
    return session;
  }

  private emit<N extends DoubleEventName>(event: N, payload: DoubleEventMap[N]): void {
    this.events.emit(event, payload);
  }
}

/** What a page needs to go online as this device: the account, its LID and the device's number. */
function onlineData(linked: LinkedDevice): object {
  return { user: linked.user, pushname: linked.pushname, lid: lidOf(linked.user), deviceId: Number(linked.device.split(":")[1]) };
}

/** The double's LID of a phone number: any digits, stable for the number. */
export function lidOf(user: string): string {
  return `1${user.padStart(14, "0")}`;
}

/** A capping in the field names of WhatsApp's answer (xwa2_message_capping_info), as the page receives it. */
function serverCapping(capping: DoubleCapping | null): Record<string, unknown> | null {
  if (!capping) return null;
  return {
    capping_status: capping.cappingStatus,
    total_quota: capping.totalQuota,
    used_quota: capping.usedQuota,
    cycle_start_timestamp: String(capping.cycleStart),
    cycle_end_timestamp: String(capping.cycleEnd),
    mv_status: capping.mvStatus ?? null,
    ote_status: capping.oteStatus ?? null,
  };
}

function isUnpaired(session: Session): boolean {
  return session.state === "UNPAIRED" || session.state === "UNPAIRED_IDLE";
}

function stopRotation(session: Session): void {
  if (session.rotation) clearInterval(session.rotation);
  session.rotation = null;
}

function send(session: Session, event: string, data: object): void {
  session.stream.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function checkPhone(phone: Partial<DoublePhone> | undefined): DoublePhone {
  if (!phone || typeof phone.user !== "string" || !/^\d+$/.test(phone.user)) {
    throw new DoubleError(400, "phone.user must be the phone number's digits");
  }
  if (typeof phone.pushname !== "string") throw new DoubleError(400, "phone.pushname must be a string");
  return { user: phone.user, pushname: phone.pushname };
}
