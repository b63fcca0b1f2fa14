import { io, type Socket } from "socket.io-client";
import WebSocket from "ws";
import { expect, test } from "../support/cluster-fixtures";
import { waitFor, type Cluster } from "../support/cluster";

/**
 * Cluster mode (docs/cluster.md) end to end: three workers of the built server on one PostgreSQL,
 * behind nginx doing round-robin, sessions on the test engine (no Chromium). Each test leaves every
 * worker running and ready, so the next one starts from a whole cluster (after a failure Playwright
 * starts a new worker, and so a new cluster).
 */

test.use({ clusterOptions: { testEngine: "fake" } });

const closers: (() => void)[] = [];
test.afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** Which workers answered `count` requests for `path` through nginx. */
async function answeringWorkers(cluster: Cluster, path: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const response = await cluster.api.get(path);
    expect(response.status, `${path} through nginx`).toBe(200);
    ids.push(cluster.workerBehind(response)?.id ?? "?");
  }
  return ids;
}

function socketThrough(cluster: Cluster): Socket {
  const socket = io(cluster.url, { auth: { apiKey: cluster.apiKey }, transports: ["websocket"], reconnection: false });
  closers.push(() => socket.close());
  return socket;
}

function rawSocketThrough(cluster: Cluster, query: string): WebSocket {
  const ws = new WebSocket(`${cluster.url.replace("http", "ws")}/ws?${query}&x-api-key=${cluster.apiKey}`);
  closers.push(() => ws.close());
  return ws;
}

test.describe("the harness", () => {
  test("every worker boots on the one database and answers /health", async ({ cluster }) => {
    expect(cluster.workers.map((worker) => worker.id)).toEqual(["w1", "w2", "w3"]);
    for (const worker of cluster.workers) {
      const health = await worker.api.get<{ status: string }>("/health");
      expect(health.status, worker.id).toBe(200);
      expect(health.body.status).toBe("ok");
      expect(worker.output()).toContain(`"worker":"${worker.id}"`);
    }
    expect(new Set(cluster.workers.map((worker) => worker.dataDir)).size).toBe(3);
  });

  test("nginx spreads requests over every worker, skips a killed one, and takes a restarted one back", async ({ cluster }) => {
    expect(new Set(await answeringWorkers(cluster, "/ping", 6))).toEqual(new Set(["w1", "w2", "w3"]));

    await cluster.kill9("w2");
    expect(cluster.worker("w2").running()).toBe(false);
    const withoutW2 = await answeringWorkers(cluster, "/ping", 6);
    expect(withoutW2).not.toContain("w2");
    expect(new Set(withoutW2)).toEqual(new Set(["w1", "w3"]));

    await cluster.restart("w2");
    // nginx tries a failed server again after fail_timeout (2 s).
    await waitFor(async () => (await answeringWorkers(cluster, "/ping", 3)).includes("w2"), { what: "w2 back behind nginx" });
  });

  test("Socket.IO and WAHA's /ws connect through nginx (WebSocket upgrades pass)", async ({ cluster }) => {
    const socket = socketThrough(cluster);
    await new Promise<void>((resolve, reject) => {
      socket.on("connect", () => resolve());
      socket.on("connect_error", reject);
    });
    expect(socket.io.engine.transport.name).toBe("websocket");

    const ws = rawSocketThrough(cluster, "session=*");
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
      ws.once("unexpected-response", (_, response) => reject(new Error(`/ws answered ${response.statusCode}`)));
    });
  });

  test("a paused worker resumes; a gracefully stopped one exits and restarts", async ({ cluster }) => {
    cluster.sigstop("w3");
    await expect(fetch(`${cluster.worker("w3").url}/ping`, { signal: AbortSignal.timeout(500) })).rejects.toThrow();
    cluster.sigcont("w3");
    expect((await cluster.worker("w3").api.get("/ping")).status).toBe(200);

    const exit = await cluster.stopGracefully("w3");
    expect(cluster.worker("w3").running()).toBe(false);
    expect(exit).toBe(0);
    await cluster.restart("w3");
    expect((await cluster.worker("w3").api.get("/health")).status).toBe(200);
  });

  test("after a PostgreSQL restart every worker answers /health again", async ({ cluster }) => {
    cluster.restartPostgres();
    for (const worker of cluster.workers) await cluster.waitUntilReady(worker);
  });
});
