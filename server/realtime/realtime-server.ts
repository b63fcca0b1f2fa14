import type { Server as HttpServer, IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import pg from "pg";
import type { Logger } from "pino";
import { Server as SocketServer, type Socket } from "socket.io";
import { WebSocketServer, type WebSocket } from "ws";
import { AppError, errorBody, HTTP_REASON } from "@/lib/errors";
import type { TEventEnvelope } from "@/lib/event-envelope";
import { subscriptionMatches } from "@/lib/event-names";
import {
  ALL_SESSIONS,
  CLIENT_MESSAGES,
  checkMessage,
  checkServerMessage,
  type TServerMessage,
  type TServerMessageName,
  type TSubscriptionReply,
} from "@/lib/realtime-messages";
import type { TWebhookDelivery } from "@/lib/webhook-delivery";
import type { EngineHost, HostEvent, SessionSnapshot } from "../engines/engine-host";
import { ROOT_PRINCIPAL, type Principal, type PrincipalResolver } from "../keys/principals";
import { audibleSession, authenticateConnection } from "./authenticate";
import { PeerLink, ZPeerPushSchema, type PeerTransport, type TInterest } from "./peer-link";

/** How often the keys of open live connections are resolved again (a revoked key's connection closes within it). */
const KEY_RECHECK_MS = 1000;
type KeyRecheck = { key: string; close: () => void };

const roomOf = (session: string) => (session === ALL_SESSIONS ? ALL_SESSIONS : `session:${session}`);

/**
 * The connection that sends this worker's pushes to the others (cluster mode): one, so they are committed
 * in the order they were made (docs/cluster.md, "Live push across workers"). A failed connection is dropped
 * by the pool and the next send opens another; the error is logged here rather than thrown.
 */
export function createFanOutPool(connectionString: string, logger: Pick<Logger, "warn">): pg.Pool {
  // Timeouts: a push that cannot leave within seconds is stale, and frames must not pile up behind it.
  const pool = new pg.Pool({
    connectionString,
    max: 1,
    application_name: "switchboard-realtime",
    keepAlive: true,
    connectionTimeoutMillis: 5_000,
    query_timeout: 5_000,
  });
  const report = (error: Error) => logger.warn({ err: error }, "live push across workers: a database connection failed");
  pool.on("error", report);
  pool.on("connect", (client) => client.on("error", report));
  return pool;
}

/**
 * Live push on the HTTP server's port. Socket.IO for the dashboard and programs: clients `subscribe`
 * to one session (or `*`) and receive `session.status`, `session.qr`, `engine.event`, `event` and
 * `delivery.update` (lib/realtime-messages.ts). Every message is checked against its schema before it
 * is sent: one that fails is logged and dropped, so a client never has to cope with a wrong shape.
 * WAHA's raw WebSocket `GET /ws?session=&events=` for existing WAHA clients.
 */
export class RealtimeServer {
  private io: SocketServer | null = null;
  private readonly rawClients = new Set<{ socket: WebSocket; session: string; events: string[] }>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private unsubscribeHost: (() => void) | null = null;
  /** What `*` subscribers last got of each session's health, without the probe times (see onHealth). */
  private readonly healthSent = new Map<string, string>();
  /** Cluster mode: the other workers. */
  private peers: PeerLink | null = null;
  /** Open connections that came in with a stored key (not the root, not the cookie), with the principal it gave then. */
  private readonly keyRechecks = new Map<KeyRecheck, string>();
  private recheckTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: { host: EngineHost; keys: Pick<PrincipalResolver, "resolve">; logger: Logger }) {}

  attach(httpServer: HttpServer): void {
    const io = new SocketServer(httpServer, { serveClient: false });
    io.use((socket, next) => {
      const url = new URL(socket.request.url ?? "/", "http://localhost");
      authenticateConnection(
        { headers: socket.handshake.headers, query: url.searchParams, authKey: socket.handshake.auth?.apiKey },
        this.options.keys,
      ).then(
        (admitted) => {
          if (admitted === null || admitted === "forbidden") return next(new Error(admitted === null ? "unauthorized" : "forbidden"));
          (socket.data as { principal?: Principal }).principal = admitted.principal;
          const recheck = this.recheckWhileOpen(admitted, () => socket.disconnect(true));
          socket.once("disconnect", () => recheck && this.keyRechecks.delete(recheck));
          next();
        },
        () => next(new Error("unauthorized")),
      );
    });
    io.on("connection", (socket) => this.onSocket(socket));
    this.io = io;

    httpServer.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (new URL(request.url ?? "/", "http://localhost").pathname === "/ws") void this.onRawUpgrade(request, socket, head);
    });
    this.unsubscribeHost = this.options.host.subscribe((event) => this.onHostEvent(event));
  }

  /**
   * Cluster mode: every push of this worker also reaches the Socket.IO and /ws clients of every other
   * worker that has a client listening to it, and theirs reach ours, over `transport` (PeerLink). Each
   * worker delivers to its own clients only, so each client gets each message once. Call after attach().
   */
  shareAcrossWorkers(transport: PeerTransport): void {
    const io = this.io;
    if (!io) throw new Error("RealtimeServer.shareAcrossWorkers() needs attach() first");
    const peers = new PeerLink({
      transport,
      logger: this.options.logger,
      interest: () => this.interest(),
      deliver: (pushes) => this.onPeerPushes(pushes),
    });
    // Joining and leaving rooms (a disconnect leaves them all) changes what this worker's clients listen to.
    io.of("/").adapter.on("create-room", () => void peers.interestChanged());
    io.of("/").adapter.on("delete-room", () => void peers.interestChanged());
    this.peers = peers;
  }

  /** Every event envelope (also sent to webhooks) goes to subscribers and matching /ws clients. */
  broadcastEnvelope(envelope: TEventEnvelope): void {
    this.emit(envelope.session, "event", envelope);
  }

  /** A delivery was created or changed: its new state goes to the session's subscribers. */
  broadcastDelivery(delivery: TWebhookDelivery): void {
    this.emit(delivery.session, "delivery.update", { session: delivery.session, delivery });
  }

  async close(): Promise<void> {
    if (this.recheckTimer) clearInterval(this.recheckTimer);
    await this.peers?.close();
    this.unsubscribeHost?.();
    for (const client of this.rawClients) client.socket.terminate();
    this.wss.close();
    await this.io?.close();
  }

  /**
   * A connection made with a stored key is closed within a second of the key's revocation (deactivated,
   * deleted, its session deleted, or its limits changed): every second each such key is resolved again,
   * from memory, and a connection whose key no longer gives the same principal is closed.
   */
  private recheckWhileOpen(admitted: { principal: Principal; key: string | null }, close: () => void): KeyRecheck | null {
    const { principal, key } = admitted;
    if (key === null || principal.keyId === null) return null;
    const recheck: KeyRecheck = { key, close };
    this.keyRechecks.set(recheck, JSON.stringify(principal));
    this.recheckTimer ??= setInterval(() => void this.recheckKeys(), KEY_RECHECK_MS).unref();
    return recheck;
  }

  private async recheckKeys(): Promise<void> {
    for (const [entry, admittedAs] of this.keyRechecks) {
      const now = await this.options.keys.resolve(entry.key).catch(() => null);
      if (now !== null && JSON.stringify(now) === admittedAs) continue;
      this.keyRechecks.delete(entry);
      entry.close();
    }
  }

  private onSocket(socket: Socket): void {
    const actions = { subscribe: (room: string) => socket.join(room), unsubscribe: (room: string) => socket.leave(room) };
    for (const name of ["subscribe", "unsubscribe"] as const) {
      socket.on(name, async (request: unknown, acknowledge?: unknown) => {
        const reply = typeof acknowledge === "function" ? (acknowledge as (answer: TSubscriptionReply) => void) : () => {};
        const checked = checkMessage(CLIENT_MESSAGES[name], request);
        if (!checked.ok) {
          this.options.logger.warn({ request: name, issues: checked.issues }, "realtime request ignored: it does not match its schema");
          reply({ ok: false, issues: checked.issues });
          return;
        }
        // A session key hears its own session only: `*` is its session, another one does not exist for it.
        const principal = (socket.data as { principal?: Principal }).principal ?? ROOT_PRINCIPAL;
        const session = audibleSession(principal, checked.message.session, ALL_SESSIONS);
        if (session === null) {
          reply({ ok: false, issues: [`session: Session '${checked.message.session}' not found`] });
          return;
        }
        await actions[name](roomOf(session));
        // Acknowledged once the other workers have been told (or telling them failed).
        await this.peers?.interestChanged();
        reply({ ok: true });
      });
    }
  }

  private onHostEvent(event: HostEvent): void {
    const timestamp = Date.now();
    switch (event.type) {
      case "status": {
        const { status, statuses, me, qr, health } = event.snapshot;
        this.emit(event.session, "session.status", { session: event.session, status, statuses, me, data: event.data, health, timestamp });
        this.healthSent.set(event.session, healthSignature(event.snapshot));
        if (status === "STOPPED") this.healthSent.delete(event.session);
        if (status !== "SCAN_QR_CODE" && qr === null)
          this.emit(event.session, "session.qr", { session: event.session, value: null, timestamp });
        return;
      }
      case "health":
        this.onHealth(event.session, event.snapshot, timestamp);
        return;
      case "qr":
        this.emit(event.session, "session.qr", { session: event.session, value: event.value, timestamp });
        return;
      case "engine.event":
        this.emit(event.session, "engine.event", { session: event.session, event: event.event, data: event.data, timestamp });
        return;
      case "me":
        return;
    }
  }

  /**
   * A probe result or a reading of the page: every one goes to the session's own subscribers (its page
   * shows the last probe), but to `*` (lists of every session) only when something besides the probe
   * times changed, so a thousand quiet sessions do not push a hundred messages a second to each list.
   */
  private onHealth(session: string, snapshot: SessionSnapshot, timestamp: number): void {
    const signature = healthSignature(snapshot);
    const changed = this.healthSent.get(session) !== signature;
    const { health, me, presence, webVersion } = snapshot;
    if (
      this.emit(session, "session.health", { session, health, me, presence, webVersion, timestamp }, { allSessions: changed }) &&
      changed
    ) {
      this.healthSent.set(session, signature);
    }
  }

  /**
   * Sends a message to the session's room and to `*` (and an envelope to the matching /ws clients), on
   * this worker and, in cluster mode, on the others; false when it failed its schema and was dropped.
   */
  private emit<TName extends TServerMessageName>(
    session: string,
    name: TName,
    payload: TServerMessage<TName>,
    options: { allSessions?: boolean } = {},
  ): boolean {
    const everyone = options.allSessions !== false;
    const toPeers = this.peers?.wanted(name, session, everyone) ?? false;
    // Nobody would get it: neither checked nor encoded (at thousands of events a second, most messages).
    if (!toPeers && !this.listenedHere(name, session, everyone)) return true;
    const checked = checkServerMessage(name, payload);
    if (!checked.ok) {
      this.options.logger.error(
        { message: name, session, issues: checked.issues },
        "realtime message dropped: it does not match its schema",
      );
      return false;
    }
    const body = toPeers || name === "event" ? JSON.stringify(payload) : "";
    this.deliverHere(name, session, checked.message, everyone, body);
    if (toPeers) this.peers?.push({ name, session, everyone, body });
    return true;
  }

  /** Whether a client of this worker listens to this message (a Socket.IO room, or any /ws client for an event). */
  private listenedHere(name: TServerMessageName, session: string, everyone: boolean): boolean {
    const rooms = this.io?.of("/").adapter.rooms;
    if (rooms?.has(roomOf(session)) || (everyone && rooms?.has(ALL_SESSIONS))) return true;
    return name === "event" && this.rawClients.size > 0;
  }

  /** To this worker's own clients only: the other workers deliver to theirs. */
  private deliverHere<TName extends TServerMessageName>(
    name: TName,
    session: string,
    message: TServerMessage<TName>,
    everyone: boolean,
    body: string,
  ): void {
    this.io?.local.to(everyone ? [roomOf(session), ALL_SESSIONS] : roomOf(session)).emit(name, message);
    if (name !== "event") return;
    const envelope = message as TEventEnvelope;
    for (const client of this.rawClients) {
      if (client.session !== ALL_SESSIONS && client.session !== envelope.session) continue;
      if (!subscriptionMatches(client.events, envelope.event)) continue;
      client.socket.send(body);
    }
  }

  /** What this worker's clients listen to, for the other workers (PeerLink). */
  private interest(): TInterest {
    const sockets = [...(this.io?.of("/").adapter.rooms.keys() ?? [])]
      .filter((room) => room === ALL_SESSIONS || room.startsWith("session:"))
      .map((room) => (room === ALL_SESSIONS ? room : room.slice("session:".length)));
    return { sockets, raw: [...new Set([...this.rawClients].map((client) => client.session))] };
  }

  /**
   * Another worker's pushes: each one a client here listens to is checked against its schema again, then
   * delivered to this worker's clients. A peer sends a push when any worker listens to it, so the others
   * skip it before reading its body.
   */
  private onPeerPushes(pushes: unknown[]): void {
    for (const push of pushes) {
      const parsed = ZPeerPushSchema.safeParse(push);
      if (!parsed.success) {
        this.options.logger.error({ issues: parsed.error.issues.length }, "a push from another worker dropped: not in the expected form");
        continue;
      }
      const { name, session, everyone, body } = parsed.data;
      if (!this.listenedHere(name, session, everyone)) continue;
      let payload: unknown;
      try {
        payload = JSON.parse(body);
      } catch {
        payload = undefined;
      }
      const checked = checkServerMessage(name, payload);
      if (!checked.ok) {
        this.options.logger.error(
          { message: name, session, issues: checked.issues },
          "realtime message from another worker dropped: it does not match its schema",
        );
        continue;
      }
      this.deliverHere(name, session, checked.message, everyone, body);
    }
  }

  private async onRawUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const query = new URL(request.url ?? "/", "http://localhost").searchParams;
    const admitted = await authenticateConnection({ headers: request.headers, query }, this.options.keys).catch(() => null);
    const principal = admitted === null || admitted === "forbidden" ? admitted : admitted.principal;
    const asked = query.get("session") ?? ALL_SESSIONS;
    const session = principal === null || principal === "forbidden" ? null : audibleSession(principal, asked, ALL_SESSIONS);
    if (session === null) {
      const refusal =
        principal === null
          ? new AppError("unauthorized", "Unauthorized")
          : principal === "forbidden"
            ? new AppError("forbidden", "This API key may not 'read' on this session")
            : new AppError("session_not_found", `Session '${asked}' not found`);
      socket.end(
        `HTTP/1.1 ${refusal.statusCode} ${HTTP_REASON[refusal.statusCode]}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n` +
          JSON.stringify(errorBody(refusal)),
      );
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const events = query
        .getAll("events")
        .flatMap((e) => e.split(","))
        .filter(Boolean);
      const client = { socket: ws, session, events: events.length ? events : ["*"] };
      this.rawClients.add(client);
      const recheck =
        admitted && admitted !== "forbidden" ? this.recheckWhileOpen(admitted, () => ws.close(4401, "the API key was revoked")) : null;
      void this.peers?.interestChanged();
      ws.on("close", () => {
        if (recheck) this.keyRechecks.delete(recheck);
        this.rawClients.delete(client);
        void this.peers?.interestChanged();
      });
      ws.on("error", (error) => this.options.logger.debug({ err: error }, "raw websocket error"));
    });
  }
}

/** A session's health as lists show it: everything but the times of the last probe and its latency. */
function healthSignature(snapshot: SessionSnapshot): string {
  const { lastAt: _lastAt, lastOkAt: _lastOkAt, latencyMs: _latencyMs, ...probe } = snapshot.health.probe;
  return JSON.stringify([{ ...snapshot.health, probe }, snapshot.me, snapshot.presence, snapshot.webVersion]);
}
