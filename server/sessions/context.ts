import type { Logger } from "pino";
import type { Db } from "../db";
import type { EngineHost } from "../engines/engine-host";
import type { ResourceSampler } from "../engines/resource-sampler";
import type { Env } from "../env";
import type { EventPublisher } from "../events/publish-event";
import type { WebhookDispatcher } from "../webhooks/dispatcher";
import type { TLoginSnapshotInfo, TSessionResources } from "@/lib/session";
import type { TSessionStatus } from "@/lib/session-status";
import { recall } from "../remember";

/** What the session services work with. server.ts builds it once; tests build their own. */
export interface SessionsContext {
  db: Db;
  host: EngineHost;
  env: Env;
  logger: Logger;
  /** Writes go through the dispatcher: it owns the outbox and wakes itself (webhook delivery verbs). */
  dispatcher: Pick<WebhookDispatcher, "enqueue" | "requeue">;
  /** Which webhooks a config has and how an envelope is built (the webhook test event). */
  publisher: Pick<EventPublisher, "webhooksFor" | "createEnvelope" | "environment">;
  /** Cluster mode: which worker runs each session (server/cluster/cluster-node.ts); null on SQLite. */
  cluster: SessionOwnership | null;
  /** Each running session's browser memory and CPU, sampled in the background (server/engines/resource-sampler.ts). */
  resources: Pick<ResourceSampler, "current" | "history" | "intervalMs">;
}

/**
 * Ownership as the session services see it. A session runs only on its owner: a start takes ownership
 * first, a stop gives it up; the router (server/cluster/session-router.ts) sends each command to the owner.
 */
export interface SessionOwnership {
  readonly workerId: string;
  /** Takes `name` for this worker before a start; false when another live worker runs it. */
  acquire(name: string): Promise<boolean>;
  /** Gives `name` up after a stop. */
  release(name: string): Promise<void>;
  /** Drops `name` after a delete (its row went with the session). */
  forget(name: string): void;
  /** The owner and status of each of `names` that a live worker runs (all such sessions without `names`). */
  statusesOf(names?: readonly string[]): Promise<Map<string, OwnedStatus>>;
  /** The session's saved login (portable sessions), null when none is saved. */
  loginOf(name: string): Promise<TLoginSnapshotInfo | null>;
}

export interface OwnedStatus {
  workerId: string;
  status: TSessionStatus;
  /** The owner's latest figures of the session's browser; null without a browser or when they are stale. */
  resources: TSessionResources | null;
}

export const SESSIONS_CONTEXT_KEY = "sessions";

export function sessionsContext(): SessionsContext {
  return recall<SessionsContext>(SESSIONS_CONTEXT_KEY);
}
