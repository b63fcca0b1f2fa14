import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { TEventEnvelope } from "@/lib/event-envelope";
import { vi } from "vitest";
import { sampleSessionHealth } from "@/lib/sample-session-health";
import type { EngineHost, HostListener, SessionSnapshot } from "@/server/engines/engine-host";
import { ROOT_PRINCIPAL, type PrincipalResolver } from "@/server/keys/principals";
import { RealtimeServer } from "@/server/realtime/realtime-server";
import { TEST_ENVIRONMENT } from "./environment";

/**
 * A RealtimeServer (no API key unless `keys` resolves them) attached to an HTTP server that does not listen yet, so that a test can
 * still swap the adapter (shareAcrossWorkers() must come before listen). Its engine host is a fake: the test
 * pushes host events with `host(event)`; its logger is spies. The test closes `realtime` and `http` itself.
 */
export function realtimeTestServer(options: { keys?: Pick<PrincipalResolver, "resolve"> } = {}) {
  const logger = { error: vi.fn(), warn: vi.fn(), debug: vi.fn(), info: vi.fn() };
  let hostListener: HostListener = () => {};
  const http: Server = createServer();
  const realtime = new RealtimeServer({
    host: {
      subscribe: (listener: HostListener) => {
        hostListener = listener;
        return () => {};
      },
    } as unknown as EngineHost,
    keys: options.keys ?? { resolve: async () => ROOT_PRINCIPAL },
    logger: logger as unknown as Logger,
  });
  realtime.attach(http);
  /** Listens on a free loopback port and resolves with it. */
  const listen = async () => {
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    return (http.address() as AddressInfo).port;
  };
  return { realtime, http, logger, listen, host: (event: Parameters<HostListener>[0]) => hostListener(event) };
}

/** A WORKING session's snapshot as the engine host reports it, its health probed once (at `lastAt`). */
export function sampleSnapshot(health: { lastAt: number; failures: number } = { lastAt: 1, failures: 0 }): SessionSnapshot {
  return {
    name: "s1",
    status: "WORKING",
    statuses: [],
    me: null,
    qr: null,
    data: null,
    presence: "offline",
    webVersion: "2.3000.1",
    health: sampleSessionHealth({
      probe: { intervalMs: 1000, lastAt: health.lastAt, lastOkAt: health.lastAt, latencyMs: 2, state: "CONNECTED" },
      failures: health.failures,
    }),
  };
}

/** A `session.status` envelope (WORKING) of `session` with the id `id`, to push through the server. */
export function statusEnvelope(id: string, session: string): TEventEnvelope {
  return {
    id,
    timestamp: 1,
    event: "session.status",
    session,
    me: null,
    payload: { status: "WORKING" },
    engine: "WEBJS",
    environment: TEST_ENVIRONMENT,
  };
}
