import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { createLoginSnapshots } from "@/server/cluster/login-snapshots";
import { startClusterSignals, type ClusterSignals } from "@/server/cluster/signals";
import { createDataDir, secureDatabaseFiles } from "@/server/data-files";
import { lockDataDir } from "@/server/data-dir-lock";
import { BootProgress } from "@/server/boot-progress";
import { connectDb } from "@/server/db";
import { migrateDatabase } from "@/server/db-migrate";
import { systemClock } from "@/server/engines/clock";
import { EngineHost } from "@/server/engines/engine-host";
import { ResourceSampler } from "@/server/engines/resource-sampler";
import { createMetrics } from "@/server/metrics/metrics";
import { countStoredSessions } from "@/server/sessions/session-repository";
import { createFakeEngineFactory } from "@/server/engines/fake/fake-engine-factory";
import { findBrowser } from "@/server/engines/webjs/find-chromium";
import { createWebjsEngineFactory } from "@/server/engines/webjs/webjs-engine-factory";
import { getEnv, type Env } from "@/server/env";
import { dashboardAuth } from "@/server/auth/dashboard-auth";
import { resolveApiKey } from "@/server/http/api-key";
import { PrincipalResolver } from "@/server/keys/principals";
import { createDirectRoutes } from "@/server/http/direct-routes";
import { createHttpServer } from "@/server/http/http-server";
import { trustForwardedHeaders } from "@/server/http/forwarded";
import { callerOf, type AuthState } from "@/server/http/authorize";
import { getLogger } from "@/server/logger";
import { RealtimeServer } from "@/server/realtime/realtime-server";
import { remember } from "@/server/remember";
import { SESSIONS_CONTEXT_KEY, type SessionsContext } from "@/server/sessions/context";
import { restoreSessions } from "@/server/sessions/restore-sessions";
import { persistAccountChanges } from "@/server/sessions/track-account";
import { recordSessionHistory } from "@/server/sessions/record-session-history";
import { printQrCodes } from "@/server/sessions/print-qr-codes";
import { publishSessionEvents } from "@/server/sessions/publish-session-events";
import { ENVIRONMENT_KEY, VERSION } from "@/server/system/environment";
import { buildEnvironment } from "@/server/events/envelope";
import { createEventPublisher } from "@/server/events/publish-event";
import { WebhookDispatcher } from "@/server/webhooks/dispatcher";
import { parseGlobalWebhook } from "@/server/webhooks/global-webhook";
import { DIRECT_ROUTES } from "@/app/direct-routes";
import { ClusterNode } from "@/server/cluster/cluster-node";
import { SessionRouter } from "@/server/cluster/session-router";
import { forwardingSecret, sharedSettings } from "@/server/cluster/shared-settings";
import { CLUSTER_NODE_KEY } from "@/server/system/workers";
import { SERVER_STOP_KEY, type ServerStop } from "@/server/system/server-control";
import { untraced } from "@/server/request-context";
import type { EngineFactory } from "@/server/engines/engine";

/**
 * Boot: env -> database -> EngineHost -> webhooks -> HTTP + Socket.IO (listening) -> Next, restored sessions.
 * The only place that constructs singletons; route handlers reach them through remember()/recall().
 */
async function main(): Promise<void> {
  const env = getEnv();
  const logger = getLogger();
  // An invalid global webhook refuses the start, saying why (as WAHA does).
  const globalWebhook = parseGlobalWebhook(env.raw);
  // The library can reject from its own listeners (docs/whatsapp-web.md, pitfall 8): log, never die.
  process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled rejection"));

  // A step that waits on the database, the cluster or the network is named in the log if it hangs.
  const boot = new BootProgress(systemClock, logger);
  createDataDir(env.dataDir, logger);
  // Embedded mode: one process per data folder, held until this process ends (however it ends).
  if (env.databaseUrl.startsWith("file:")) await boot.step("the data folder's lock", () => lockDataDir(env.dataDir));
  // Before Prisma opens it: the database file is created, or made, owner-only.
  secureDatabaseFiles(env.databaseUrl, logger);
  const db = connectDb(env.databaseUrl);
  await boot.step("the database migrations", () => migrateDatabase(db, env.databaseUrl, logger));
  if (env.databaseUrl.startsWith("file:")) {
    // WAL: readers never wait for the writer; NORMAL sync is durable across process crashes.
    await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
    await db.$queryRawUnsafe("PRAGMA synchronous = NORMAL");
    await db.$queryRawUnsafe("PRAGMA busy_timeout = 5000");
  }

  // WAHA_API_KEY is the root admin key; the Keys API's keys live in the database (server/keys/).
  const auth = remember<AuthState>("auth", () => ({
    keys: new PrincipalResolver({
      db,
      root: resolveApiKey({ configured: env.apiKey, disabled: env.noApiKey, dataDir: env.dataDir, logger }),
      logger: logger.child({ module: "api-keys" }),
    }),
  }));

  // Resolve the dashboard login now, so a generated password is printed at boot rather than on first use.
  dashboardAuth();

  // Looked up again at every session start; at boot only to report it (and to say early what is missing).
  const lookupBrowser = () => findBrowser({ configured: env.engine.chromePath });
  const browserAtBoot = lookupBrowser();
  if (env.testEngine === "fake") {
    logger.warn(
      "TEST ONLY: SWITCHBOARD_TEST_ENGINE=fake: sessions run on a fake engine without Chromium or WhatsApp (for scale tests and benchmarks); never use it in production",
    );
  } else if (browserAtBoot.path === null) {
    logger.error(`${browserAtBoot.reason}; sessions will fail to start until one is installed`);
  }
  const environment = remember(ENVIRONMENT_KEY, () =>
    buildEnvironment({ version: VERSION, browser: browserAtBoot.path, workerId: env.workerId }),
  );

  const dispatcher = new WebhookDispatcher({
    db,
    version: VERSION,
    workerId: env.workerId ?? "",
    // Cluster mode: adopts the rows of workers that are gone (docs/cluster.md).
    cluster: env.cluster && { leaseMs: env.cluster.leaseMs },
    logger: logger.child({ module: "webhooks" }),
    ...env.webhooks,
  });
  const publisher = createEventPublisher({ dispatcher, environment, globalWebhook, ignoreDefaults: env.ignoreDefaults });

  // Cluster mode: logins are kept in PostgreSQL, each save fenced by the token its run holds (docs/cluster.md).
  let cluster: ClusterNode | null = null;
  const loginSnapshots = env.cluster && createLoginSnapshots(db, (name) => cluster?.tokenOf(name) ?? null);
  const logins = env.cluster && loginSnapshots && { store: loginSnapshots, ...env.cluster.logins };
  const factory =
    env.testEngine === "fake"
      ? createFakeEngineFactory({ workerId: env.workerId, clock: systemClock })
      : createWebjsEngineFactory({
          authDir: env.engine.authDir,
          findBrowser: lookupBrowser,
          browserArgs: env.engine.browserArgs,
          globalProxy: env.engine.proxy,
          clientDefaults: env.engine.client,
          webVersion: env.engine.webVersion,
          logins,
          logger: logger.child({ module: "webjs" }),
        });
  const host = new EngineHost({
    // A browser started while serving a request must not make its events for hours that request's.
    factory: untracedEngines(factory),
    clock: systemClock,
    logger: logger.child({ module: "engine-host" }),
    restartDelayMs: env.engine.restartDelayMs,
    maxRestartDelayMs: env.engine.maxRestartDelayMs,
    startTimeoutMs: env.engine.startTimeoutMs,
    qrStaleMs: env.engine.qrStaleMs,
    stopTimeoutMs: env.engine.stopTimeoutMs,
    health: env.engine.health,
    maxFailures: env.engine.maxFailures,
    stableMs: env.engine.stableMs,
    // WAHA_PRESENCE_AUTO_ONLINE=false: Switchboard leaves the presence alone, so there is no pulse.
    presencePulse: env.engine.presence.autoOnline
      ? { intervalMs: env.engine.presence.pulseMs, onlineMs: env.engine.presence.onlineMs }
      : undefined,
  });
  warnAboutIgnoredSettings(env, logger);
  // Cluster mode (a PostgreSQL DATABASE_URL): this process is one worker; sessions run where they are owned.
  const settings = sharedSettings(env, globalWebhook);
  cluster =
    env.cluster && env.workerId && loginSnapshots
      ? new ClusterNode({
          db,
          logins: loginSnapshots,
          host,
          logger: logger.child({ module: "cluster" }),
          workerId: env.workerId,
          url: env.cluster.workerUrl,
          capacity: env.cluster.capacity,
          leaseMs: env.cluster.leaseMs,
          settings,
          onPeerLeaseLapsed: () => void dispatcher.adoptNow(),
          removeLocalCopy: (name) => factory.removeLocalCopy(name),
        })
      : null;
  remember(CLUSTER_NODE_KEY, () => ({ node: cluster }));
  const joining = cluster;
  if (joining) await boot.step("joining the cluster", () => joining.join());
  // Each running browser's memory and CPU, read in the background at a bounded rate (docs/observability.md).
  const resources = new ResourceSampler({
    host,
    clock: systemClock,
    intervalMs: env.resourcesIntervalMs,
    logger: logger.child({ module: "resources" }),
  });
  // Cluster mode: the owner writes its sessions' figures after each round, so every worker lists them.
  if (cluster) resources.onRound((round) => void cluster.reportResources(round, resources.intervalMs));
  resources.start();
  const ctx = remember<SessionsContext>(SESSIONS_CONTEXT_KEY, () => ({ db, host, env, logger, dispatcher, publisher, cluster, resources }));
  // WAHA_PROMETHEUS_ENABLED: this worker's own /metrics, outside the API key (optionally behind basic auth).
  const metrics = env.prometheus.enabled
    ? createMetrics(env.prometheus, {
        host,
        sampler: resources,
        dispatcher,
        publisher,
        countStoredSessions: () => countStoredSessions(db),
        cluster,
        workerId: env.workerId,
        version: VERSION,
      })
    : null;
  persistAccountChanges(ctx);
  const history = recordSessionHistory(ctx);
  if (env.printQr) printQrCodes(host);
  publishSessionEvents(ctx, publisher);
  // Resumes deliveries a previous process left pending or in flight (a crash loses none).
  await boot.step("the webhook deliveries a previous run left in flight", () => dispatcher.start());

  // The API answers as soon as the server listens: its routes are called directly (production only, so
  // that `npm run dev` keeps Next's reloading of route handlers). Next prepares the dashboard meanwhile;
  // a page request waits for it.
  const routes = createDirectRoutes(DIRECT_ROUTES);
  const direct = env.production ? routes : null;
  const router =
    cluster &&
    new SessionRouter({
      db,
      workerId: cluster.workerId,
      secret: forwardingSecret(env),
      match: routes.match,
      callerOf: (req) => callerOf(req, auth.keys),
      owns: (name) => cluster.owns(name),
      placementOf: (name) => cluster.placementOf(name),
      maxBodyBytes: env.maxBodyBytes,
      logger: logger.child({ module: "cluster-router" }),
    });
  let nextHandler: Promise<NextHandler> | undefined;
  const dashboard = () => (nextHandler ??= prepareNext(env.production, env.port));
  const server = createHttpServer({
    handle: async (req, res) => {
      if (metrics) {
        if (await metrics.serve(req, res)) return;
        metrics.track(req, res);
      }
      if (router && (await router.route(req, res))) return;
      if (direct && (await direct.serve(req, res))) return;
      await (
        await dashboard()
      )(req, res);
    },
    production: env.production,
    requestTimeoutMs: env.requestTimeoutMs,
    logger: logger.child({ module: "http" }),
    httpLogLevel: env.httpLogLevel,
  });
  const realtime = new RealtimeServer({ host, keys: auth.keys, logger: logger.child({ module: "realtime" }) });
  realtime.attach(server);
  trustForwardedHeaders(server, env.trustedProxies);
  publisher.subscribe((envelope) => realtime.broadcastEnvelope(envelope));
  dispatcher.onDeliveryUpdate(({ delivery }) => realtime.broadcastDelivery(delivery));
  let signals: ClusterSignals | null = null;
  if (env.cluster) {
    // Every worker's writes drop this one's read cache, and live push reaches every worker's clients (docs/cluster.md).
    signals = startClusterSignals({ databaseUrl: env.databaseUrl, db, realtime, logger });
    // The router keeps where other workers' sessions run while it hears every change of owner or worker.
    if (router) {
      signals.onOwner((change) => router.ownerChanged(change.session));
      signals.onWorker(() => router.workerChanged());
      signals.onListenerState((state) => router.setListening(state === "connected"));
    }
    // A released session, a worker joining or draining: sweep now rather than at the next heartbeat.
    const node = cluster;
    if (node) {
      signals.onOwner((change) => {
        if ("workerId" in change && change.workerId === null) node.sweepSoon();
        if ("deleted" in change) void node.onSessionDeleted(change.session);
      });
      signals.onWorker(() => {
        node.sweepSoon();
        void dispatcher.adoptNow();
      });
      signals.onListenerState((state) => state === "connected" && node.sweepSoon());
    }
  }
  await boot.step(`listening on port ${env.port}`, () => new Promise<void>((resolve) => server.listen(env.port, env.hostname, resolve)));
  logger.info({ port: env.port, dataDir: env.dataDir }, `Switchboard listening on http://localhost:${env.port}`);
  const dashboardFailed = (error: unknown) => {
    logger.fatal({ err: error }, "the dashboard failed to start");
    process.exit(1);
  };
  if (cluster) {
    // Loading Next compiles every page and route, holding the event loop for a second or two in bursts. A
    // worker says it is ready (/health) after that, so a balancer's traffic and the sessions it then claims
    // never wait behind it; until then it answers, and its peers run the cluster.
    const node = cluster;
    const listeningAt = performance.now();
    dashboard()
      .then(eventLoopSettled)
      .then(() => {
        node.markReady();
        logger.info({ ms: Math.round(performance.now() - listeningAt) }, "ready for traffic: the dashboard is loaded");
      }, dashboardFailed);
  } else {
    // Alone, answering first matters most: Next loads once the requests that come with a start (health
    // checks, clients reconnecting) had their answers, unless a page asks for it first.
    setTimeout(() => dashboard().catch(dashboardFailed), DASHBOARD_WARMUP_DELAY_MS);
  }

  const shutdown = new AbortController();
  const restoring = restoreSessions(ctx, shutdown.signal).catch((error) => logger.error({ err: error }, "restoring sessions failed"));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: stopping every session (their desired state is kept)");
    shutdown.abort();
    // Hands each session to another worker as soon as its browser here has closed.
    await cluster?.drain().catch((error) => logger.error({ err: error }, "draining failed"));
    server.close();
    server.closeAllConnections();
    await restoring;
    await realtime.close();
    await resources.stop();
    await host.stopAll();
    await history.whenIdle();
    await dispatcher.stop();
    await auth.keys.flush();
    await cluster?.leave();
    router?.close();
    await signals?.close();
    await db.$disconnect();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  // POST /api/server/stop: the same graceful path, or (force) an exit now; a service manager restarts it.
  remember<ServerStop>(SERVER_STOP_KEY, () => ({
    graceful: (reason) => void stop(reason),
    now: (reason) => {
      logger.warn({ signal: reason }, "exiting now: sessions and deliveries resume at the next start");
      process.exit(1);
    },
  }));
}

/** The engines' own work (launch, events, timers) runs outside the request that started them. */
function untracedEngines(factory: EngineFactory): EngineFactory {
  return {
    removeAuthData: (session) => factory.removeAuthData(session),
    removeLocalCopy: (session) => factory.removeLocalCopy(session),
    hasAuthData: (session) => factory.hasAuthData(session),
    create: (options) => {
      const engine = factory.create(options);
      const start = engine.start.bind(engine);
      engine.start = () => untraced(start);
      return engine;
    },
  };
}

const DASHBOARD_WARMUP_DELAY_MS = 1_000;

/** Settings that do nothing in the combination given (WAHA's rules): said once, at boot. */
function warnAboutIgnoredSettings(env: Env, logger: Pick<Logger, "warn">): void {
  const { webVersion, presence } = env.engine;
  if (webVersion.pinned && webVersion.cache === "none") {
    logger.warn("WAHA_WEBJS_WEB_VERSION is ignored: a version can be pinned only with WAHA_WEBJS_CACHE_TYPE=local");
  }
  if (presence.pulseMs > 0 && !presence.autoOnline) {
    logger.warn("SWITCHBOARD_PRESENCE_PULSE_SECONDS is ignored: WAHA_PRESENCE_AUTO_ONLINE=false leaves the presence alone");
  }
}

type NextHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * Resolves once the event loop has run freely for 100 ms (at most 15 s on): Next goes on loading every page
 * after prepare() resolves (`preloadEntriesOnStart`), each a synchronous compile of its modules.
 */
async function eventLoopSettled(): Promise<void> {
  const TICK_MS = 20;
  const giveUpAt = performance.now() + 15_000;
  let calmTicks = 0;
  while (calmTicks < 5 && performance.now() < giveUpAt) {
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    calmTicks = performance.now() - started < 2 * TICK_MS ? calmTicks + 1 : 0;
  }
}

/** Next's request handler once it is ready (its import and prepare() take most of a second). */
async function prepareNext(production: boolean, port: number): Promise<NextHandler> {
  const { default: next } = await import("next");
  const app = next({ dev: !production, hostname: "localhost", port });
  await app.prepare();
  const handle = app.getRequestHandler();
  return (req, res) => handle(req, res);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
