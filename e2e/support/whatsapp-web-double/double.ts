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
}

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

interface Session {
  sid: string;
  stream: ServerResponse;
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

  constructor(
    private readonly options: DoubleOptions,
    readonly port: number,
    private readonly closeServer: () => Promise<void>,
  ) {
    this.origin = `https://127.0.0.1:${port}`;
    this.browserArgs = [`--host-resolver-rules=MAP web.whatsapp.com 127.0.0.1:${port}`, "--ignore-certificate-errors"];
  }

  sessions(): DoubleSessionInfo[] {
    return [...this.openSessions.values()].map((session) => ({
      sid: session.sid,
      state: session.state,
      ref: session.ref,
      refsIssued: session.refsIssued,
      user: session.linked?.user ?? null,
      device: session.linked?.device ?? null,
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
      send(session, "hello", { sid: session.sid, syncDelayMs, restore: true, user: linked.user, pushname: linked.pushname });
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

  /** Sends a fault to every online page of the target; a target with none is a 404. */
  private inject(target: FaultTarget, fault: Exclude<DoubleFault, "unpaired">, data: object): void {
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
      this.emit("fault", { sid: session.sid, fault });
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
    send(session, "paired", { token: linked.token, user: linked.user, pushname: linked.pushname });
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
