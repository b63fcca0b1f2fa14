import type { TServerEnvironment, TServerStatus, TServerStopRequest, TServerStopResponse } from "@/lib/server-control";
import { getEnv } from "../env";
import { getLogger } from "../logger";
import { recall } from "../remember";
import { afterResponse } from "../request-context";
import { settingsReport } from "../settings-report";

export const SERVER_STOP_KEY = "serverStop";

/** How server.ts stops the process: `graceful` is the path SIGTERM takes (and exits 0); `now` exits at once. */
export interface ServerStop {
  graceful(reason: string): void;
  now(reason: string): void;
}

/** GET /api/server/status: when this process started and how long it has run, and which worker it is. */
export function serverStatus(): TServerStatus {
  const uptime = Math.floor(process.uptime() * 1000);
  return { startTimestamp: Date.now() - uptime, uptime, worker: { id: getEnv().workerId ?? "embedded" } };
}

/** GET /api/server/environment: the effective settings, secrets redacted (server/settings-report.ts). */
export function serverEnvironment(options: { all: boolean }): TServerEnvironment {
  return settingsReport(getEnv().raw, options);
}

/**
 * POST /api/server/stop: answered first, then the process stops (a service manager or Docker's restart
 * policy starts it again). Graceful by default, as on SIGTERM: every session stopped with its desired
 * state kept, the deliveries in flight finished, the worker's sessions handed over in cluster mode.
 * `force` exits at once: sessions come back at the next start, unsent deliveries are sent then.
 */
export function stopServer(request: TServerStopRequest): TServerStopResponse {
  const stop = recall<ServerStop>(SERVER_STOP_KEY);
  const reason = "POST /api/server/stop";
  getLogger().warn({ force: request.force }, request.force ? "stopping at once, as asked" : "stopping gracefully, as asked");
  afterResponse(() => (request.force ? stop.now(reason) : stop.graceful(reason)));
  return { stopping: true };
}
