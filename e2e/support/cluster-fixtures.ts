import { expect, test as base } from "./fixtures";
import { doubleEnv } from "./server";
import { clusterSkipReason, startCluster, type Cluster, type ClusterOptions } from "./cluster";

/**
 * The fixtures of the cluster specs (e2e/cluster): `cluster` is three workers on one throwaway
 * PostgreSQL behind nginx (e2e/support/cluster.ts), worker-scoped like `server` in ./fixtures.ts, so
 * one spec file gets one cluster, torn down after its last test. A spec says at its top how its cluster
 * runs, with an object literal of its own (see ./fixtures.ts for why):
 *
 *   test.use({ clusterOptions: { testEngine: "fake" } });
 *
 * Without nginx or PostgreSQL's server binaries every test is skipped with the reason printed; under
 * CI=true they fail instead (.ci/run installs both).
 */

export interface ClusterFixtureOptions extends ClusterOptions {
  /** Route every session's web.whatsapp.com to the WhatsApp Web double (real Chromium sessions). */
  withDouble?: boolean;
}

interface WorkerFixtures {
  clusterOptions: ClusterFixtureOptions;
  cluster: Cluster;
}

interface TestFixtures {
  /** Skips the test, saying why, when this machine cannot run a cluster (outside CI). */
  clusterPrerequisites: void;
  /** After a failed test: every process's output, attached to the report and its end printed. */
  clusterOutputOnFailure: void;
}

let skipReasonPrinted = false;

/** A Cluster whose every property throws why there is none. */
function unavailable(reason: string): Cluster {
  return new Proxy({} as Cluster, {
    get: () => {
      throw new Error(`no cluster: ${reason}`);
    },
  });
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  clusterOptions: [{}, { scope: "worker", option: true }],

  clusterPrerequisites: [
    async ({}, use, testInfo) => {
      const reason = clusterSkipReason();
      if (reason && process.env.CI !== "true") {
        if (!skipReasonPrinted) console.warn(`[cluster] cluster specs skipped: ${reason}`);
        skipReasonPrinted = true;
        testInfo.skip(true, reason);
      }
      await use();
    },
    { auto: true },
  ],

  clusterOutputOnFailure: [
    // Depends on clusterPrerequisites, so a skipped test never starts a cluster.
    async ({ clusterPrerequisites: _, cluster }, use, testInfo) => {
      await use();
      if (testInfo.status === testInfo.expectedStatus || testInfo.status === "skipped") return;
      await testInfo.attach("cluster-output.txt", { body: cluster.output(), contentType: "text/plain" });
      console.log(cluster.output({ tail: 1500 }));
    },
    { auto: true },
  ],

  cluster: [
    async ({ clusterOptions, double }, use) => {
      const { withDouble, ...options } = clusterOptions;
      const reason = clusterSkipReason();
      if (reason && process.env.CI === "true") throw new Error(`cluster specs cannot run under CI=true: ${reason}`);
      if (reason) {
        // Playwright sets worker fixtures up before clusterPrerequisites skips the test: a stand-in that is never used.
        await use(unavailable(reason));
        return;
      }
      const cluster = await startCluster({ ...options, env: { ...(withDouble ? doubleEnv(double) : {}), ...options.env } });
      try {
        await use(cluster);
      } finally {
        await cluster.stop();
      }
    },
    // Boots PostgreSQL, three servers and nginx; a slow machine needs the room.
    { scope: "worker", timeout: 180_000 },
  ],
});

export { expect };
