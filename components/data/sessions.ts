"use client";

import { keepPreviousData, replaceEqualDeep, useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import {
  deleteSession,
  getDelivery,
  getQrValue,
  getSession,
  listDeliveries,
  listSessions,
  listWebhookTestTargets,
  runSessionAction,
  type TDeliveryListParams,
  type TSessionAction,
  type TSessionListParams,
} from "@/lib/api-client";
import { LIST_LIMIT_MAX, type TSession } from "@/lib/session";
import { SESSION_STATUSES, type TSessionStatus } from "@/lib/session-status";
import { keepLaterDeliveries, type TDeliveryList } from "@/lib/webhook-delivery";
import { queryKeys, type TQrState } from "./query-keys";
import { useFallbackInterval } from "./realtime";

/**
 * Memory and CPU are sampled, not pushed: while a browser of the page runs, the list is asked again at the
 * server's default sampling interval, so its figures (and the order by memory) stay current.
 */
export const RESOURCES_REFRESH_MS = 15_000;

export function useSessionList(params: TSessionListParams) {
  const fallback = useFallbackInterval();
  return useQuery({
    queryKey: queryKeys.list(params),
    queryFn: ({ signal }) => listSessions(params, signal),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => fallback || (query.state.data?.items.some((s) => s.resources) ? RESOURCES_REFRESH_MS : false),
  });
}

/**
 * How many sessions of each status match `params` (a search, without the status filter): one small page per
 * status (`limit=1`), whose X-Total-Count is the count. Refetched after live status changes (realtime.tsx).
 * `enabled`: the list can go first (the counts' five requests would slow its answer on a busy server).
 */
export function useSessionStatusCounts(params: Omit<TSessionListParams, "status" | "limit" | "offset" | "sortBy">, enabled: boolean) {
  const fallback = useFallbackInterval();
  return useQuery({
    queryKey: queryKeys.statusCounts(params),
    queryFn: async ({ signal }) => {
      const totals = await Promise.all(
        SESSION_STATUSES.map(
          async (status) => [status, (await listSessions({ ...params, status: [status], limit: 1 }, signal)).total] as const,
        ),
      );
      return Object.fromEntries(totals) as Record<TSessionStatus, number>;
    },
    enabled,
    placeholderData: keepPreviousData,
    refetchInterval: fallback,
  });
}

/** The names of every session matching `params` (all pages, in the list's order), for an action on all of them. */
export async function listMatchingNames(params: Omit<TSessionListParams, "limit" | "offset">): Promise<string[]> {
  const names: string[] = [];
  for (;;) {
    const page = await listSessions({ ...params, limit: LIST_LIMIT_MAX, offset: names.length });
    names.push(...page.items.map((session) => session.name));
    if (page.items.length === 0 || names.length >= page.total) return names;
  }
}

/** Starts asking for a list before a view renders it (useSessionList with the same params joins the request). */
export function prefetchSessionList(queryClient: QueryClient, params: TSessionListParams): void {
  void queryClient.prefetchQuery({ queryKey: queryKeys.list(params), queryFn: ({ signal }) => listSessions(params, signal) });
}

export function useSession(name: string) {
  const fallback = useFallbackInterval();
  return useQuery({
    queryKey: queryKeys.detail(name),
    queryFn: ({ signal }) => getSession(name, signal),
    refetchInterval: fallback,
  });
}

/**
 * The QR while a session waits for a scan. Pushed over Socket.IO (session.qr); fetched once when the
 * page opens mid-login. Its age comes from the status history: every rotation re-emits SCAN_QR_CODE, which
 * the history counts in one entry (`count`, and `lastTimestamp` for the latest code).
 */
export function useQr(session: TSession | undefined) {
  const waiting = session?.status === "SCAN_QR_CODE";
  return useQuery<TQrState>({
    queryKey: queryKeys.qr(session?.name ?? ""),
    enabled: waiting,
    staleTime: Infinity,
    retry: 1,
    queryFn: async ({ signal }) => {
      const value = await getQrValue(session!.name, signal);
      const latest = session!.statuses.at(-1);
      const codes = latest?.status === "SCAN_QR_CODE" ? (latest.count ?? 1) : 1;
      return { value, timestamp: latest?.lastTimestamp ?? latest?.timestamp ?? Date.now(), rotation: codes - 1 };
    },
  });
}

export function useDeliveries(name: string, params: TDeliveryListParams, enabled = true) {
  return useQuery({
    queryKey: queryKeys.deliveryList(name, params),
    queryFn: ({ signal }) => listDeliveries(name, params, signal),
    // Rows are also updated by pushes; an answer that left before the last push must not undo it.
    structuralSharing: (shown, fetched) =>
      replaceEqualDeep(shown, keepLaterDeliveries(shown as TDeliveryList | undefined, fetched as TDeliveryList)),
    placeholderData: keepPreviousData,
    enabled,
    retry: (count, error) => (error as { status?: number }).status !== 404 && count < 2,
  });
}

/** One delivery's detail while `id` is set; pushes of that delivery ask again (components/data/realtime.tsx). */
export function useDelivery(name: string, id: string | null) {
  return useQuery({
    queryKey: queryKeys.delivery(name, id ?? ""),
    queryFn: ({ signal }) => getDelivery(name, id!, signal),
    enabled: id !== null,
  });
}

export function useWebhookTestTargets(session: TSession) {
  return useQuery({
    queryKey: queryKeys.webhookTestTargets(session.name, session.config.webhooks),
    queryFn: ({ signal }) => listWebhookTestTargets(session.name, signal),
  });
}

export const ACTION_LABELS: Record<TSessionAction | "delete", { verb: string; done: string }> = {
  start: { verb: "Start", done: "started" },
  stop: { verb: "Stop", done: "stopped" },
  restart: { verb: "Restart", done: "restarted" },
  logout: { verb: "Log out", done: "logged out" },
  delete: { verb: "Delete", done: "deleted" },
};

/** start / stop / restart / logout / delete on one session; the cache is updated from the answer. */
/** Whether `a` saw a later change than `b` (its last activity, which every pushed status moves on). */
function isNewer(a: TSession, b: TSession): boolean {
  return (a.timestamps.activity ?? 0) > (b.timestamps.activity ?? 0);
}

export function useSessionAction() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ name, action }: { name: string; action: TSessionAction | "delete" }) => {
      if (action === "delete") {
        await deleteSession(name);
        return null;
      }
      return runSessionAction(name, action);
    },
    onSuccess: (session, { name, action }) => {
      if (action === "delete") queryClient.removeQueries({ queryKey: queryKeys.detail(name) });
      // A status pushed while the request was on its way (a fast start reaches WORKING first) is newer than the answer.
      else if (session)
        queryClient.setQueryData<TSession>(queryKeys.detail(name), (cached) => (cached && isNewer(cached, session) ? cached : session));
      if (action === "logout" || action === "stop" || action === "restart") queryClient.removeQueries({ queryKey: queryKeys.qr(name) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.lists() });
    },
  });
}

/** Run one action over many sessions, a few at a time; reports which failed, and each one done to `onProgress`. */
export async function runBulk<T>(
  items: T[],
  run: (item: T) => Promise<unknown>,
  concurrency = 4,
  onProgress?: (done: number) => void,
): Promise<{ item: T; error: unknown }[]> {
  const failures: { item: T; error: unknown }[] = [];
  let index = 0;
  let done = 0;
  const worker = async () => {
    while (index < items.length) {
      const item = items[index++];
      try {
        await run(item);
      } catch (error) {
        failures.push({ item, error });
      }
      onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return failures;
}
