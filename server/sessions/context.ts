import type { Logger } from "pino";
import type { Db } from "../db";
import type { EngineHost } from "../engines/engine-host";
import type { Env } from "../env";
import type { EventPublisher } from "../events/publish-event";
import type { WebhookDispatcher } from "../webhooks/dispatcher";
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
  publisher: Pick<EventPublisher, "webhooksFor" | "createEnvelope">;
}

export const SESSIONS_CONTEXT_KEY = "sessions";

export function sessionsContext(): SessionsContext {
  return recall<SessionsContext>(SESSIONS_CONTEXT_KEY);
}
