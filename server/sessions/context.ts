import type { Logger } from "pino";
import type { Db } from "../db";
import type { EngineHost } from "../engines/engine-host";
import type { Env } from "../env";
import type { WebhookDeliveries } from "../webhooks/deliveries";
import { recall } from "../remember";

/** What the session services work with. server.ts builds it once; tests build their own. */
export interface SessionsContext {
  db: Db;
  host: EngineHost;
  env: Env;
  logger: Logger;
  deliveries: WebhookDeliveries;
}

export const SESSIONS_CONTEXT_KEY = "sessions";

export function sessionsContext(): SessionsContext {
  return recall<SessionsContext>(SESSIONS_CONTEXT_KEY);
}
