import type { Server as HttpServer, IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { createAdapter } from "@socket.io/postgres-adapter";
import pg from "pg";
import type { Logger } from "pino";
import { Server as SocketServer, type Socket } from "socket.io";
import { WebSocketServer, type WebSocket } from "ws";
import { z } from "zod";
import type { TEventEnvelope } from "@/lib/event-envelope";
import { subscriptionMatches } from "@/lib/event-names";
import {
  ALL_SESSIONS,
  CLIENT_MESSAGES,
  SERVER_MESSAGES,
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

/** The server-side event that carries one worker's pushes to the others (cluster mode). */
const PEER_EVENT = "sb:push";

/**
 * What one worker hands the others: the messages it pushed in one turn of its event loop, each as the
 * JSON a Socket.IO client would get (`body`), checked again against its schema by the worker receiving it.
 */
const ZPeerPushSchema = z.array(
  z.object({
    name: z.enum(Object.keys(SERVER_MESSAGES) as [TServerMessageName, ...TServerMessageName[]]),
    session: z.string(),
    /** Also to `*` subscribers (false: the session's room only). */
    everyone: z.boolean(),
    body: z.string(),
  }),
);
type TPeerPush = z.infer<typeof ZPeerPushSchema>[number];

/**
 * The pool behind the Socket.IO PostgreSQL adapter (cluster mode): two connections, one that the adapter
 * keeps LISTENing and one for its NOTIFYs, so one worker's pushes leave in the order they were made.
 * The adapter holds its LISTEN connection checked out, which the pool does not watch: when it fails (a
 * database restart, pg_terminate_backend) the error is logged here rather than thrown, and the dead
 * connection is given back to the pool here, because the adapter opens a new one without releasing the
 * old, which would keep both places of the pool taken (no NOTIFY could leave, and `end()` would wait forever).
 */
export function createFanOutPool(connectionString: string, logger: Pick<Logger, "warn">): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: 2, application_name: "switchboard-realtime", keepAlive: true });
  const report = (error: Error) => logger.warn({ err: error }, "live push across workers: a database connection failed");
  pool.on("error", report);
  pool.on("connect", (client) => {
    client.on("error", report);
    client.on("end", () => {
      try {
        client.release(new Error("the connection ended"));
      } catch {
        // Not checked out (idle, or already given back): the pool has dropped it itself.
      }
    });
  });
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
  /** Cluster mode: pushes waiting for the end of this turn of the event loop, to go to the other workers as one. */
  private peerQueue: TPeerPush[] | null = null;

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

  /**
   * Cluster mode: every push of this worker also reaches the Socket.IO and /ws clients of every other
   * worker, and theirs reach ours, through the Socket.IO PostgreSQL adapter on `pool` (createFanOutPool).
   * Each worker delivers to its own clients only, so each client gets each message once. Call after
   * attach() and before the HTTP server listens (swapping the adapter forgets the rooms of connected sockets).
   */
  shareAcrossWorkers(pool: pg.Pool): void {
    const io = this.io;
    if (!io) throw new Error("RealtimeServer.shareAcrossWorkers() needs attach() first");
    io.adapter(
      createAdapter(pool, {
        channelPrefix: "sb",
        errorHandler: (error) => this.options.logger.warn({ err: error }, "live push across workers failed"),
      }),
    );
    io.on(PEER_EVENT, (pushes: unknown) => this.onPeerPushes(pushes));
    this.peerQueue = [];
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
    this.flushToPeers();
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
    const checked = checkServerMessage(name, payload);
    if (!checked.ok) {
      this.options.logger.error(
        { message: name, session, issues: checked.issues },
        "realtime message dropped: it does not match its schema",
      );
      return false;
    }
    const everyone = options.allSessions !== false;
    const body = this.peerQueue || name === "event" ? JSON.stringify(payload) : "";
    this.deliverHere(name, session, checked.message, everyone, body);
    if (this.peerQueue) {
      if (this.peerQueue.length === 0) setImmediate(() => this.flushToPeers());
      this.peerQueue.push({ name, session, everyone, body });
    }
    return true;
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

  /** One server-side emit (one NOTIFY) for everything pushed in this turn of the event loop. */
  private flushToPeers(): void {
    if (!this.peerQueue?.length) return;
    const pushes = this.peerQueue;
    this.peerQueue = [];
    this.io?.serverSideEmit(PEER_EVENT, pushes);
  }

  /** Another worker's pushes: each checked against its schema again, then delivered to this worker's clients. */
  private onPeerPushes(pushes: unknown): void {
    const batch = ZPeerPushSchema.safeParse(pushes);
    if (!batch.success) {
      this.options.logger.error({ issues: batch.error.issues.length }, "pushes from another worker dropped: not in the expected form");
      return;
    }
    for (const { name, session, everyone, body } of batch.data) {
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
