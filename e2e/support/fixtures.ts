import { test as base, expect } from "@playwright/test";
import { apiClient, type ApiClient } from "./api";
import { doubleEnv, startServer, type RunningServer, type ServerOptions } from "./server";
import { startDouble, type WhatsAppWebDouble } from "./whatsapp-web-double/double";

/**
 * The fixtures of the specs that run the server. A spec file imports `test` and `expect` from here
 * and says at its top how its server runs:
 *
 *   test.use({ serverOptions: { withDouble: true, env: { WAHA_DASHBOARD_PASSWORD: "..." } } });
 *
 * `double`, `server` and `api` are worker-scoped: set up when a test or hook first asks for one and
 * torn down with the worker, after the file's afterAll hooks. Playwright runs the files whose worker
 * options are the same object in one worker and keeps its worker fixtures from one file to the
 * next; the object literal in each file's test.use() is an object of its own, so each spec file gets
 * its own worker, server and double. Never pass one shared object to test.use() in two files, nor
 * leave serverOptions unset in two.
 */

export interface ServerFixtureOptions extends ServerOptions {
  /** Route every session's web.whatsapp.com to the worker's WhatsApp Web double. */
  withDouble?: boolean;
}

interface WorkerFixtures {
  serverOptions: ServerFixtureOptions;
  /** The WhatsApp Web double, playing WhatsApp and the phone (e2e/support/whatsapp-web-double/README.md). */
  double: WhatsAppWebDouble;
  /** The built server, run with the file's serverOptions; stopped with the worker. */
  server: RunningServer;
  /** An HTTP client for the server, with its API key. */
  api: ApiClient;
}

interface TestFixtures {
  /** Starts another server for this test (a second one on the same data folder, another configuration), stopped after the test. */
  startExtraServer: (options?: ServerOptions) => Promise<RunningServer>;
  /** Automatic: a failed attempt gets the server's log of that attempt, attached and its tail printed. */
  serverLogOnFailure: void;
}

/** The worker's server, once a test asked for it (serverLogOnFailure reads its log). */
let workerServer: RunningServer | null = null;
/** Lines of a failed attempt's server log printed with the failure (all of it is attached). */
const LOG_TAIL_LINES = 60;

export const test = base.extend<TestFixtures, WorkerFixtures>({
  serverOptions: [{}, { scope: "worker", option: true }],

  // Started for every server, used or not: it is one HTTPS listener on loopback, and fixtures cannot
  // depend on one another conditionally.
  double: [
    async ({}, use) => {
      const double = await startDouble();
      await use(double);
      await double.close();
    },
    { scope: "worker" },
  ],

  server: [
    async ({ serverOptions, double }, use) => {
      const { withDouble, ...options } = serverOptions;
      const server = await startServer({ ...options, env: { ...(withDouble ? doubleEnv(double) : {}), ...options.env } });
      workerServer = server;
      await use(server);
      workerServer = null;
      await server.stop();
    },
    { scope: "worker" },
  ],

  api: [async ({ server }, use) => use(apiClient(server)), { scope: "worker" }],

  // A flaky failure (a retry passes) is understood only from what the server did meanwhile: keep it.
  serverLogOnFailure: [
    async ({}, use, testInfo) => {
      const server = workerServer;
      const from = server?.output().length ?? 0;
      await use();
      const ran = workerServer;
      if (!ran || testInfo.status === testInfo.expectedStatus) return;
      const log = ran.output().slice(ran === server ? from : 0);
      await testInfo.attach("server log", { body: log, contentType: "text/plain" });
      const tail = log.trimEnd().split("\n").slice(-LOG_TAIL_LINES).join("\n");
      console.error(
        `--- the server's last ${LOG_TAIL_LINES} log lines during "${testInfo.title}" (attempt ${testInfo.retry + 1}):\n${tail}\n---`,
      );
    },
    { auto: true },
  ],

  startExtraServer: async ({}, use) => {
    const started: RunningServer[] = [];
    await use(async (options) => {
      const server = await startServer(options);
      started.push(server);
      return server;
    });
    for (const server of started) await server.stop();
  },
});

export { expect };
