import type { Server as HttpServer, IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { Server as SocketServer, type Socket } from "socket.io";
import { WebSocketServer, type WebSocket } from "ws";
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
import type { ApiKeyCheck } from "../http/api-key";
import { authenticateConnection } from "./authenticate";

const roomOf = (session: string) => (session === ALL_SESSIONS ? ALL_SESSIONS : `session:${session}`);

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

  constructor(private readonly options: { host: EngineHost; apiKey: ApiKeyCheck; logger: Logger }) {}

  attach(httpServer: HttpServer): void {
    const io = new SocketServer(httpServer, { serveClient: false });
    io.use((socket, next) => {
      const url = new URL(socket.request.url ?? "/", "http://localhost");
      authenticateConnection(
        { headers: socket.handshake.headers, query: url.searchParams, authKey: socket.handshake.auth?.apiKey },
        this.options.apiKey,
      ).then(
        (ok) => next(ok ? undefined : new Error("unauthorized")),
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

  /** Every event envelope (also sent to webhooks) goes to subscribers and matching /ws clients. */
  broadcastEnvelope(envelope: TEventEnvelope): void {
    if (!this.emit(envelope.session, "event", envelope)) return;
    const body = JSON.stringify(envelope);
    for (const client of this.rawClients) {
      if (client.session !== ALL_SESSIONS && client.session !== envelope.session) continue;
      if (!subscriptionMatches(client.events, envelope.event)) continue;
      client.socket.send(body);
    }
  }

  /** A delivery was created or changed: its new state goes to the session's subscribers. */
  broadcastDelivery(delivery: TWebhookDelivery): void {
    this.emit(delivery.session, "delivery.update", { session: delivery.session, delivery });
  }

  async close(): Promise<void> {
    this.unsubscribeHost?.();
    for (const client of this.rawClients) client.socket.terminate();
    this.wss.close();
    await this.io?.close();
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
        await actions[name](roomOf(checked.message.session));
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

  /** Sends a message to the session's room and to `*`; false when it failed its schema and was dropped. */
  private emit<TName extends TServerMessageName>(
    session: string,
    name: TName,
    payload: TServerMessage<TName>,
    options: { allSessions?: boolean } = {},
  ): boolean {
    const checked = checkServerMessage(name, payload);
    if (!checked.ok) {
      this.options.logger.error(
        { message: name, session, issues: checked.issues },
        "realtime message dropped: it does not match its schema",
      );
      return false;
    }
    this.io?.to(options.allSessions === false ? roomOf(session) : [roomOf(session), ALL_SESSIONS]).emit(name, checked.message);
    return true;
  }

  private async onRawUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const query = new URL(request.url ?? "/", "http://localhost").searchParams;
    const allowed = await authenticateConnection({ headers: request.headers, query }, this.options.apiKey).catch(() => false);
    if (!allowed) {
      socket.end(
        "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n" +
          JSON.stringify({ statusCode: 401, error: "Unauthorized", message: "Unauthorized", code: "unauthorized" }),
      );
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const events = query
        .getAll("events")
        .flatMap((e) => e.split(","))
        .filter(Boolean);
      const client = { socket: ws, session: query.get("session") ?? ALL_SESSIONS, events: events.length ? events : ["*"] };
      this.rawClients.add(client);
      ws.on("close", () => this.rawClients.delete(client));
      ws.on("error", (error) => this.options.logger.debug({ err: error }, "raw websocket error"));
    });
  }
}

/** A session's health as lists show it: everything but the times of the last probe and its latency. */
function healthSignature(snapshot: SessionSnapshot): string {
  const { lastAt: _lastAt, lastOkAt: _lastOkAt, latencyMs: _latencyMs, ...probe } = snapshot.health.probe;
  return JSON.stringify([{ ...snapshot.health, probe }, snapshot.me, snapshot.presence, snapshot.webVersion]);
}
