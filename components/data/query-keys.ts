import type { TDeliveryListParams, TSessionListParams } from "@/lib/api-client";

/** Every React Query key of the dashboard, in one place so the realtime layer can update them. */
export const queryKeys = {
  sessions: () => ["sessions"] as const,
  lists: () => ["sessions", "list"] as const,
  list: (params: TSessionListParams) => ["sessions", "list", params] as const,
  /** How many sessions of each status match a search (the status chips' counts); not under lists(): no pages. */
  statusCountsAll: () => ["sessions", "status-counts"] as const,
  statusCounts: (params: TSessionListParams) => ["sessions", "status-counts", params] as const,
  detail: (name: string) => ["sessions", "detail", name] as const,
  qr: (name: string) => ["sessions", "qr", name] as const,
  deliveries: (name: string) => ["sessions", "deliveries", name] as const,
  deliveryList: (name: string, params: TDeliveryListParams) => ["sessions", "deliveries", name, params] as const,
  /** Not under deliveries(name): those keys hold lists, which pushes patch. */
  delivery: (name: string, id: string) => ["sessions", "delivery", name, id] as const,
  resources: (name: string) => ["sessions", "resources", name] as const,
  /** Keyed by the session's webhooks too: a config change asks again. */
  webhookTestTargets: (name: string, webhooks: unknown) =>
    ["sessions", "webhook-test-targets", name, JSON.stringify(webhooks ?? [])] as const,
  workers: () => ["server", "workers"] as const,
  serverInfo: () => ["server", "info"] as const,
  apiKeys: () => ["keys"] as const,
};

/** The QR the dashboard shows: the raw value, when it was issued, and how many rotations came before it. */
export interface TQrState {
  value: string | null;
  timestamp: number;
  /** 0 for the first code of a login attempt (lives ~60 s), then 1, 2, ... (~20 s each). */
  rotation: number;
}
