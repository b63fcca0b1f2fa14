"use client";

import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from "react";
import { io, type Socket } from "socket.io-client";
import type { TSessionListParams, TSessionPage } from "@/lib/api-client";
import {
  ALL_SESSIONS,
  checkServerMessage,
  type TServerMessage,
  type TServerMessageName,
  type TSubscriptionReply,
} from "@/lib/realtime-messages";
import type { TSession } from "@/lib/session";
import type { TSessionStatus } from "@/lib/session-status";
import { useNow } from "@/components/ui/time";
import { laterDelivery, type TDeliveryList } from "@/lib/webhook-delivery";
import { ALL_EVENTS, EventLog, type TLiveEvent } from "./event-log";
import { queryKeys, type TQrState } from "./query-keys";

/**
 * One Socket.IO connection per tab (same origin, the session cookie authenticates the handshake).
 * Pushed messages update React Query's cache directly, so every view that shows a session, its QR
 * or its deliveries re-renders without a request. Subscriptions are reference-counted per session
 * ("*" = all) and re-sent after every reconnect, which also refetches what may have been missed.
 * Every pushed message is checked against its schema (lib/realtime-messages.ts) first: one that does
 * not match is dropped and logged, so a wrong shape never reaches the cache or the views.
 */

export type TRealtimeState = "connecting" | "connected" | "reconnecting" | "unauthorized";

type THandlers = { [TName in TServerMessageName]: (message: TServerMessage<TName>) => void };

export class Realtime {
  readonly events = new EventLog();
  private socket: Socket | null = null;
  private state: TRealtimeState = "connecting";
  /** When the connection was lost (ms), while it is; null while connected or before the first connection. */
  private staleSince: number | null = null;
  private readonly stateListeners = new Set<() => void>();
  private readonly subscriptions = new Map<string, number>();
  private wasConnected = false;
  private listRefresh: ReturnType<typeof setTimeout> | null = null;
  private statusCountsRefresh: ReturnType<typeof setTimeout> | null = null;
  /** What each pushed message does, once it matched its schema. */
  private readonly handlers: THandlers = {
    "session.status": (message) => this.onStatus(message),
    "session.health": (message) => this.onHealth(message),
    "session.qr": (message) => this.onQr(message),
    "engine.event": (message) =>
      this.events.push({
        session: message.session,
        kind: "engine",
        event: message.event,
        timestamp: message.timestamp,
        data: message.data,
      }),
    event: (message) =>
      this.events.push({ session: message.session, kind: "event", event: message.event, timestamp: message.timestamp, data: message }),
    "delivery.update": (message) => this.onDelivery(message),
  };

  constructor(private readonly queryClient: QueryClient) {}

  connect(): void {
    if (this.socket) return;
    // WebSocket from the start, no long-polling: behind a round-robin balancer (several workers, docs/cluster.md)
    // each polling request may reach another worker, which does not know the connection.
    const socket = io({ path: "/socket.io", transports: ["websocket"], withCredentials: true, reconnectionDelayMax: 10_000 });
    this.socket = socket;
    socket.on("connect", () => {
      this.staleSince = null;
      this.setState("connected");
      for (const session of this.subscriptions.keys()) this.emitSubscribe(session);
      // Whatever changed while we were away was not pushed to us: refetch everything on screen (sessions,
      // QR codes, deliveries, the server's uptime; a restarted server has a new one).
      if (this.wasConnected) void this.queryClient.invalidateQueries();
      this.wasConnected = true;
    });
    socket.on("disconnect", () => this.lost("reconnecting"));
    socket.on("connect_error", (error) => this.lost(error.message === "unauthorized" ? "unauthorized" : "reconnecting"));
    for (const name of Object.keys(this.handlers) as TServerMessageName[]) {
      socket.on(name, (payload: unknown) => this.receive(name, payload));
    }
  }

  /** A pushed message: checked against its schema, then applied; a message that fails is dropped and logged. */
  receive<TName extends TServerMessageName>(name: TName, payload: unknown): void {
    const checked = checkServerMessage(name, payload);
    if (!checked.ok) {
      console.error(`Dropped a "${name}" message that does not match its schema: ${checked.issues.join("; ")}`);
      return;
    }
    (this.handlers[name] as (message: TServerMessage<TName>) => void)(checked.message);
  }

  disconnect(): void {
    this.socket?.disconnect();
    this.socket = null;
    if (this.listRefresh) clearTimeout(this.listRefresh);
    if (this.statusCountsRefresh) clearTimeout(this.statusCountsRefresh);
  }

  subscribe(session: string): () => void {
    const count = this.subscriptions.get(session) ?? 0;
    this.subscriptions.set(session, count + 1);
    if (count === 0 && this.socket?.connected) this.emitSubscribe(session);
    return () => {
      const left = (this.subscriptions.get(session) ?? 1) - 1;
      if (left > 0) {
        this.subscriptions.set(session, left);
        return;
      }
      this.subscriptions.delete(session);
      if (this.socket?.connected) this.socket.emit("unsubscribe", { session });
    };
  }

  /**
   * Joins the session's room; once the server confirms, what was read before is read again (subscribed()).
   */
  private emitSubscribe(session: string): void {
    const sentAt = Date.now();
    this.socket?.emit("subscribe", { session }, (reply?: TSubscriptionReply) => {
      if (reply?.ok) this.subscribed(session, sentAt, Date.now());
    });
  }

  /**
   * A subscription is in place: a push from now on reaches us, but one sent between a read and this moment did
   * not (a page read a session STARTING, its QR came before the room was joined, and the page waited for a
   * push that had gone). So the pushed-to queries that may hold such a read are read again:
   * - one session's (its page): every one answered before the confirmation or still being read at it, since
   *   a busy server may have read it before the room was joined and answered after (one more read a visit);
   * - every session's (`*`: the lists and counts): those read before the request was sent, so a list is not
   *   read again, and its rows redrawn, each time the dashboard subscribes.
   */
  subscribed(session: string, sentAt: number, confirmedAt: number): void {
    const everySession = session === ALL_SESSIONS;
    const pushed: string[] = everySession ? ["list", "status-counts"] : ["detail", "qr", "deliveries", "delivery"];
    void this.queryClient.invalidateQueries({
      predicate: ({ queryKey, state }) =>
        queryKey[0] === "sessions" &&
        pushed.includes(String(queryKey[1])) &&
        (everySession || queryKey[2] === session) &&
        (everySession ? state.dataUpdatedAt < sentAt : state.dataUpdatedAt < confirmedAt || state.fetchStatus === "fetching"),
    });
  }

  getState = (): TRealtimeState => this.state;

  getStaleSince = (): number | null => this.staleSince;

  onStateChange = (listener: () => void): (() => void) => {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  };

  /** The connection is down: what the page shows is stale from now on (or from the first loss). */
  private lost(state: TRealtimeState): void {
    if (this.wasConnected) this.staleSince ??= Date.now();
    this.setState(state);
  }

  private setState(state: TRealtimeState): void {
    if (state === this.state) return;
    this.state = state;
    this.stateListeners.forEach((l) => l());
  }

  private onStatus(message: TServerMessage<"session.status">): void {
    const seen = this.patchSession(message.session, (session) => ({
      ...session,
      status: message.status,
      statuses: message.statuses,
      me: message.me,
      health: message.health,
      // Only a WORKING has a presence, as the server reports it.
      presence: message.status === "WORKING" ? session.presence : null,
      timestamps: { activity: Math.max(session.timestamps.activity ?? 0, message.timestamp) },
    }));
    // A session no list knows (created elsewhere): refetch, but only while lists are small enough
    // that it would show; with thousands of sessions most events concern other pages.
    if (seen === "unknown to small lists") this.refreshListsSoon();
    this.reapplyStatusFilters(message.session, message.status);
    if (message.status !== "SCAN_QR_CODE") {
      // Any other status makes the code on screen useless: it must not be scanned any more.
      // Dropped rather than nulled, so a later login attempt starts over (first code, fresh fetch).
      this.queryClient.removeQueries({ queryKey: queryKeys.qr(message.session) });
    }
  }

  /** A probe or a reading of the page: the health block, the account and its restrictions, presence, version. */
  private onHealth(message: TServerMessage<"session.health">): void {
    this.patchSession(message.session, (session) => ({
      ...session,
      health: message.health,
      me: message.me ?? session.me,
      presence: message.presence,
      engine: { ...session.engine, WWebVersion: message.webVersion ?? session.engine.WWebVersion },
    }));
  }

  /** Applies `patch` to the session wherever it is cached (its page, every list showing it). */
  private patchSession(name: string, patch: (session: TSession) => TSession): "listed" | "unknown to small lists" | "unknown" {
    this.queryClient.setQueryData<TSession>(queryKeys.detail(name), (old) => (old ? patch(old) : old));
    let seen = false;
    let smallList = false;
    this.queryClient.setQueriesData<TSessionPage>({ queryKey: queryKeys.lists() }, (page) => {
      if (!page) return page;
      if (page.total < 100) smallList = true;
      if (!page.items.some((s) => s.name === name)) return page;
      seen = true;
      return { ...page, items: page.items.map((s) => (s.name === name ? patch(s) : s)) };
    });
    return seen ? "listed" : smallList ? "unknown to small lists" : "unknown";
  }

  private onQr(message: TServerMessage<"session.qr">): void {
    if (message.value === null) {
      this.queryClient.removeQueries({ queryKey: queryKeys.qr(message.session) });
      return;
    }
    this.queryClient.setQueryData<TQrState>(queryKeys.qr(message.session), (old) => {
      if (old?.value === message.value) return old;
      return { value: message.value, timestamp: message.timestamp, rotation: old?.value ? old.rotation + 1 : 0 };
    });
  }

  private onDelivery(message: TServerMessage<"delivery.update">): void {
    const { session, delivery } = message;
    // An open detail asks again: the push carries the row, not the attempt log.
    void this.queryClient.invalidateQueries({ queryKey: queryKeys.delivery(session, delivery.id) });
    this.queryClient.setQueriesData<TDeliveryList>({ queryKey: queryKeys.deliveries(session) }, (list) => {
      if (!list) return list;
      if (list.items.some((d) => d.id === delivery.id)) {
        return { ...list, items: list.items.map((d) => (d.id === delivery.id ? laterDelivery(d, delivery) : d)) };
      }
      return list;
    });
    // The lists' "Webhooks failing" marks are counts the server makes: lists showing the session ask again when a
    // delivery of it failed, died or got through after failing. A first attempt that succeeds changes no mark.
    if (delivery.state === "dead" || delivery.attempts > 1 || (delivery.state === "pending" && delivery.attempts > 0)) {
      if (this.isListed(session)) this.refreshListsSoon();
    }
    // New rows go on the first page of every list whose filter they match.
    for (const query of this.queryClient.getQueryCache().findAll({ queryKey: queryKeys.deliveries(session) })) {
      const params = (query.queryKey[3] ?? {}) as { state?: string; event?: string; offset?: number; limit?: number };
      const list = query.state.data as TDeliveryList | undefined;
      if (!list || list.items.some((d) => d.id === delivery.id)) continue;
      if ((params.offset ?? 0) > 0) continue;
      if (params.state && params.state !== delivery.state) continue;
      if (params.event && params.event !== delivery.event) continue;
      this.queryClient.setQueryData<TDeliveryList>(query.queryKey, {
        items: [delivery, ...list.items].slice(0, params.limit ?? 50),
        total: list.total + 1,
      });
    }
  }

  /** Whether a cached list shows the session. */
  private isListed(name: string): boolean {
    return this.queryClient
      .getQueriesData<TSessionPage>({ queryKey: queryKeys.lists() })
      .some(([, page]) => page?.items.some((s) => s.name === name));
  }

  /**
   * A status change moves a session in or out of lists filtered by status: one that no longer matches leaves
   * them at once, and those lists (and the status chips' counts) are asked again soon for the ones that now match.
   */
  private reapplyStatusFilters(name: string, status: TSessionStatus): void {
    let filtered = false;
    for (const query of this.queryClient.getQueryCache().findAll({ queryKey: queryKeys.lists() })) {
      const params = query.queryKey[2] as TSessionListParams | undefined;
      if (!params?.status?.length) continue;
      filtered = true;
      if (params.status.includes(status)) continue;
      this.queryClient.setQueryData<TSessionPage>(query.queryKey, (page) =>
        page?.items.some((s) => s.name === name) ? { items: page.items.filter((s) => s.name !== name), total: page.total - 1 } : page,
      );
    }
    if (filtered) this.refreshListsSoon();
    this.refreshStatusCountsSoon();
  }

  private refreshStatusCountsSoon(): void {
    if (this.statusCountsRefresh) return;
    this.statusCountsRefresh = setTimeout(() => {
      this.statusCountsRefresh = null;
      void this.queryClient.invalidateQueries({ queryKey: queryKeys.statusCountsAll() });
    }, 1000);
  }

  private refreshListsSoon(): void {
    if (this.listRefresh) return;
    this.listRefresh = setTimeout(() => {
      this.listRefresh = null;
      void this.queryClient.invalidateQueries({ queryKey: queryKeys.lists() });
    }, 1000);
  }
}

const RealtimeContext = createContext<Realtime | null>(null);

export function RealtimeProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [realtime] = useState(() => new Realtime(queryClient));
  useEffect(() => {
    realtime.connect();
    return () => realtime.disconnect();
  }, [realtime]);
  return <RealtimeContext.Provider value={realtime}>{children}</RealtimeContext.Provider>;
}

function useRealtime(): Realtime {
  const realtime = useContext(RealtimeContext);
  if (!realtime) throw new Error("RealtimeProvider is missing");
  return realtime;
}

/** Receive pushes for one session (or "*") while the calling component is mounted. */
export function useRealtimeSubscription(session: string | null): void {
  const realtime = useRealtime();
  useEffect(() => (session ? realtime.subscribe(session) : undefined), [realtime, session]);
}

export function useRealtimeState(): TRealtimeState {
  const realtime = useRealtime();
  return useSyncExternalStore(realtime.onStateChange, realtime.getState, () => "connecting" as TRealtimeState);
}

/**
 * Since when what the page shows is stale (ms): the push channel was lost then and is still down.
 * null while live, and before the first connection (the page's data is fresh from its first fetch).
 */
export function useStaleSince(): number | null {
  const realtime = useRealtime();
  return useSyncExternalStore(realtime.onStateChange, realtime.getStaleSince, () => null);
}

/**
 * While the push channel is down, views fall back to refetching every 15 s so they never show
 * stale data silently; while it is up, nothing polls.
 */
export function useFallbackInterval(): number | false {
  return useRealtimeState() === "connected" ? false : 15_000;
}

export function useLiveEvents(session: string): { events: TLiveEvent[]; clear: () => void } {
  const realtime = useRealtime();
  const subscribe = useMemo(() => (listener: () => void) => realtime.events.subscribe(session, listener), [realtime, session]);
  const events = useSyncExternalStore(
    subscribe,
    () => realtime.events.read(session),
    () => realtime.events.read(session),
  );
  return { events, clear: useClearLiveEvents(session) };
}

/** Empties the session's live event log, without re-rendering the caller on every event. */
export function useClearLiveEvents(session: string): () => void {
  const realtime = useRealtime();
  return useCallback(() => realtime.events.clear(session), [realtime, session]);
}

/**
 * Every session's event envelopes (the event monitor): subscribes to `*` while mounted and re-renders
 * at most every `throttleMs`, so a burst of events costs a few renders, not one per event.
 * `received` counts every envelope since the page opened, including those the buffer no longer holds.
 */
export function useAllLiveEvents(throttleMs = 250): { events: TLiveEvent[]; received: number; clear: () => void } {
  const realtime = useRealtime();
  useRealtimeSubscription(ALL_EVENTS);
  const subscribe = useMemo(
    () => (listener: () => void) => {
      let timer: ReturnType<typeof setTimeout> | null = null;
      const unsubscribe = realtime.events.subscribe(ALL_EVENTS, () => {
        timer ??= setTimeout(() => {
          timer = null;
          listener();
        }, throttleMs);
      });
      return () => {
        unsubscribe();
        if (timer) clearTimeout(timer);
      };
    },
    [realtime, throttleMs],
  );
  const read = () => realtime.events.read(ALL_EVENTS);
  const events = useSyncExternalStore(subscribe, read, read);
  const count = () => realtime.events.received(ALL_EVENTS);
  const received = useSyncExternalStore(subscribe, count, count);
  return { events, received, clear: useClearLiveEvents(ALL_EVENTS) };
}

/**
 * Envelopes per second over the last 10 s across every session (needs useAllLiveEvents on the page),
 * redrawn every second; null until a whole second of them has been seen.
 */
export function useAllEventsRate(): number | null {
  const realtime = useRealtime();
  const now = useNow();
  return now ? realtime.events.rate(ALL_EVENTS, now) : null;
}
