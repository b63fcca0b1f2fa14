import { io, type Socket } from "socket.io-client";
import WebSocket from "ws";
import { expect, test } from "../support/cluster-fixtures";
import { waitFor, type Cluster } from "../support/cluster";
import { expectRunOnlyByOwners, listAll, ownersOnceWorking, runningOn, type TSessionRow } from "../support/cluster-sessions";

/**
 * Cluster mode (docs/cluster.md) end to end: three workers of the built server on one PostgreSQL,
 * behind nginx doing round-robin, sessions on the test engine (no Chromium). Each test leaves every
 * worker running and ready, so the next one starts from a whole cluster (after a failure Playwright
 * starts a new worker, and so a new cluster).
 */

// The access line at info: a command's trace is followed from the worker that forwards it to its owner.
test.use({ clusterOptions: { testEngine: "fake", env: { WAHA_HTTP_LOG_LEVEL: "info" } } });

const closers: (() => void)[] = [];
/** Sessions the running test created; deleted after it passes, so the next test counts only its own. */
const created: string[] = [];

test.beforeEach(async ({ cluster }) => {
  // A worker may still be rejoining after the previous test (a restart, a database outage).
  for (const worker of cluster.workers) await cluster.waitUntilReady(worker);
});

test.afterEach(async ({ cluster }, testInfo) => {
  for (const close of closers.splice(0)) close();
  const names = created.splice(0);
  // After a failure Playwright starts a new cluster anyway.
  if (testInfo.status !== testInfo.expectedStatus) return;
  // A session still moving after the test's faults answers 503 with Retry-After meanwhile: ask again until it has an owner.
  for (const name of names) {
    await waitFor(
      async () => {
        const response = await cluster.api.delete(`/api/sessions/${name}`);
        if (response.status === 503 && response.headers.get("retry-after")) return false;
        expect(response.status, `delete ${name}`).toBeLessThan(300);
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: `${name} deleted` },
    );
  }
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

interface TWorkerRow {
  id: string;
  url: string;
  state: "alive" | "draining" | "gone";
  sessions: number;
  capacity: number | null;
  leaseUntil: string;
}

/** Creates sessions through nginx (so the create requests go round-robin too) and waits until each is WORKING on an owner. */
async function createWorking(cluster: Cluster, names: string[]): Promise<Map<string, string>> {
  for (const name of names) {
    const response = await cluster.api.post("/api/sessions", { name });
    expect(response.status, `create ${name}: ${response.text}`).toBe(201);
    created.push(name);
  }
  return ownersOnceWorking(cluster.workers[0].api, names);
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
    const restartedAt = Date.now();
    cluster.restartPostgres();
    // Each worker has renewed its lease since the restart. Its heartbeats run one at a time, so one the restart
    // held up has ended too, and a worker it fenced (a renewal later than its margin) has joined again.
    await waitFor(
      async () => {
        const listed = await cluster.workers[0].api.get<TWorkerRow[]>("/api/server/workers");
        return listed.status === 200 && listed.body.every((row) => Date.parse(row.leaseUntil) > restartedAt + cluster.leaseMs);
      },
      { what: "every worker's lease renewed after the restart" },
    );
    for (const worker of cluster.workers) await cluster.waitUntilReady(worker);
  });
});

/** The cluster contract of issue 13 (docs/cluster.md). */
test.describe("cluster mode", () => {
  test("/health tells a load balancer each worker is ready, and /api/server/workers lists them all", async ({ cluster }) => {
    for (const worker of cluster.workers) {
      const health = await worker.api.get("/health", { apiKey: null });
      expect(health.status, worker.id).toBe(200);
      expect(health.body).toMatchObject({ status: "ok", worker: { id: worker.id, state: "ready" } });
    }
    for (const worker of cluster.workers) {
      const listed = await worker.api.get<TWorkerRow[]>("/api/server/workers");
      expect(listed.status).toBe(200);
      const rows = [...listed.body].sort((a, b) => a.id.localeCompare(b.id));
      expect(rows.map(({ id, url, state }) => ({ id, url, state }))).toEqual(
        cluster.workers.map((w) => ({ id: w.id, url: w.url, state: "alive" })),
      );
      for (const row of rows) {
        expect(row.sessions).toEqual(expect.any(Number));
        expect(row.capacity === null || typeof row.capacity === "number").toBe(true);
        expect(Date.parse(row.leaseUntil)).toBeGreaterThan(Date.now() - 1000);
      }
    }
  });

  test("sessions spread over the workers; every worker lists all of them with their owner; commands run on the owner", async ({
    cluster,
  }) => {
    const names = Array.from({ length: 6 }, (_, i) => `spread-${i + 1}`);
    const owners = await createWorking(cluster, names);
    expect(new Set(owners.values()).size, "owners of six sessions").toBeGreaterThanOrEqual(2);

    for (const worker of cluster.workers) {
      const rows = (await listAll(worker.api)).filter((row) => names.includes(row.name));
      expect(new Map(rows.map((row) => [row.name, row.assignedWorker])), `as ${worker.id} lists them`).toEqual(owners);
      expect(rows.every((row) => row.status === "WORKING")).toBe(true);
      for (const name of names) {
        const one = await worker.api.get<TSessionRow>(`/api/sessions/${name}`);
        expect(one.status).toBe(200);
        expect(one.body).toMatchObject({ name, status: "WORKING", assignedWorker: owners.get(name) });
      }
    }
    await expectRunOnlyByOwners(cluster, cluster.workers);

    // Stop and start a session through a worker that does not own it: it stops and starts where it is owned.
    const [name, owner] = [...owners.entries()][0];
    const other = cluster.workers.find((worker) => worker.id !== owner)!;
    expect((await other.api.post(`/api/sessions/${name}/stop`)).status).toBeLessThan(300);
    await waitFor(async () => (await listAll(other.api)).find((row) => row.name === name)?.status === "STOPPED", {
      what: `${name} STOPPED`,
    });
    await expectRunOnlyByOwners(cluster, cluster.workers);
    expect((await other.api.post(`/api/sessions/${name}/start`)).status).toBeLessThan(300);
    await ownersOnceWorking(other.api, [name]);
    expect((await other.api.post(`/api/sessions/${name}/restart`)).status).toBeLessThan(300);
    await ownersOnceWorking(other.api, [name]);
    await expectRunOnlyByOwners(cluster, cluster.workers);

    // A client cannot pass for a forwarding worker: with a made-up hop header the command is still forwarded.
    const current = (await ownersOnceWorking(other.api, [name])).get(name)!;
    const bystander = cluster.workers.find((worker) => worker.id !== current)!;
    // A forwarded command goes on in the caller's trace: both workers' access lines carry it, each its own span.
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const traceparent = `00-${traceId}-00f067aa0ba902b7-01`;
    expect((await bystander.api.post(`/api/sessions/${name}/restart`, undefined, { headers: { traceparent } })).status).toBeLessThan(300);
    const accessLines = (worker: (typeof cluster.workers)[number]) =>
      worker
        .output()
        .split("\n")
        .filter((line) => line.includes(`"trace_id":"${traceId}"`) && line.includes(`/api/sessions/${name}/restart`))
        .map((line) => JSON.parse(line) as { msg: string; span_id: string })
        .filter((line) => line.msg === "request completed");
    await waitFor(async () => accessLines(cluster.worker(current)).length === 1 && accessLines(bystander).length === 1, {
      what: "the access lines of the forwarded restart on both workers",
    });
    expect(accessLines(cluster.worker(current))[0]!.span_id).not.toBe(accessLines(bystander)[0]!.span_id);
    await ownersOnceWorking(bystander.api, [name]);
    const forgedHop = `${Buffer.from(bystander.id).toString("base64url")}.${Date.now()}.forged`;
    const stopped = await bystander.api.post(`/api/sessions/${name}/stop`, undefined, { headers: { "x-switchboard-hop": forgedHop } });
    expect(stopped.status).toBeLessThan(300);
    await waitFor(async () => (await listAll(bystander.api)).find((row) => row.name === name)?.status === "STOPPED", {
      what: `${name} STOPPED by a command with a forged hop`,
    });
    await expectRunOnlyByOwners(cluster, cluster.workers);
  });

  test("kill -9 of a worker: its sessions run on the survivors within 20 s; meanwhile their commands succeed or answer 503 with Retry-After", async ({
    cluster,
  }) => {
    const names = Array.from({ length: 6 }, (_, i) => `failover-${i + 1}`);
    const owners = await createWorking(cluster, names);
    const victim = cluster.worker(owners.get(names[0])!);
    const moved = names.filter((name) => owners.get(name) === victim.id);
    const survivors = cluster.workers.filter((worker) => worker !== victim);

    await cluster.kill9(victim);
    const killedAt = Date.now();
    const answers: { status: number; retryAfter: string | null }[] = [];
    const polling = (async () => {
      while (Date.now() - killedAt < 20_000) {
        for (const [i, name] of moved.entries()) {
          const response = await survivors[i % survivors.length].api.get(`/api/sessions/${name}/me`);
          answers.push({ status: response.status, retryAfter: response.headers.get("retry-after") });
        }
        const rows = await listAll(survivors[0].api);
        if (moved.every((name) => rows.some((row) => row.name === name && row.status === "WORKING" && row.assignedWorker !== victim.id)))
          return;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    await polling;
    const after = await ownersOnceWorking(survivors[0].api, moved, { timeoutMs: 1000, notOn: [victim.id] });
    test.info().annotations.push({ type: "failover", description: `${moved.length} sessions moved in ${Date.now() - killedAt} ms` });
    for (const name of moved) expect(survivors.map((w) => w.id)).toContain(after.get(name));
    // Each survivor kept where the dead worker's sessions ran while it forwarded to it: none is believed any more.
    for (const worker of survivors) {
      for (const name of moved) expect((await worker.api.get(`/api/sessions/${name}/me`)).status, `${name} via ${worker.id}`).toBe(200);
    }
    for (const answer of answers) {
      expect([200, 503]).toContain(answer.status);
      if (answer.status === 503) expect(answer.retryAfter).toMatch(/^\d+$/);
    }
    await expectRunOnlyByOwners(cluster, survivors);
    const workers = await survivors[0].api.get<TWorkerRow[]>("/api/server/workers");
    expect(workers.body.find((row) => row.id === victim.id)?.state).toBe("gone");

    await cluster.restart(victim);
  });

  test("a worker paused past its lease loses its sessions to the others and, resumed, stops them at once", async ({ cluster }) => {
    const names = Array.from({ length: 6 }, (_, i) => `pause-${i + 1}`);
    const owners = await createWorking(cluster, names);
    const paused = cluster.worker(owners.get(names[0])!);
    const others = cluster.workers.filter((worker) => worker !== paused);

    cluster.sigstop(paused);
    try {
      const after = await ownersOnceWorking(others[0].api, names, { timeoutMs: 20_000, notOn: [paused.id] });
      expect([...after.values()]).not.toContain(paused.id);
    } finally {
      cluster.sigcont(paused);
    }
    const resumedAt = Date.now();
    await waitFor(async () => (await runningOn(paused)) === 0, {
      timeoutMs: 5000,
      intervalMs: 20,
      what: `${paused.id} stopped what it lost`,
    });
    test.info().annotations.push({ type: "pause", description: `lost sessions stopped ${Date.now() - resumedAt} ms after SIGCONT` });
    await cluster.waitUntilReady(paused);
    await expectRunOnlyByOwners(cluster, cluster.workers);
  });

  test("a drained worker hands its sessions over at once and shows draining; SIGTERM does the same and the worker exits", async ({
    cluster,
  }) => {
    const names = Array.from({ length: 6 }, (_, i) => `drain-${i + 1}`);
    const owners = await createWorking(cluster, names);

    const drained = cluster.worker(owners.get(names[0])!);
    const others = cluster.workers.filter((worker) => worker !== drained);
    const startedAt = Date.now();
    expect((await drained.api.post("/api/server/drain")).status).toBeLessThan(300);
    const afterDrain = await ownersOnceWorking(others[0].api, names, { timeoutMs: 10_000, notOn: [drained.id] });
    test.info().annotations.push({ type: "drain", description: `sessions moved in ${Date.now() - startedAt} ms` });
    expect([...afterDrain.values()]).not.toContain(drained.id);
    const workers = await others[0].api.get<TWorkerRow[]>("/api/server/workers");
    expect(workers.body.find((row) => row.id === drained.id)?.state).toBe("draining");
    expect((await drained.api.get("/health", { apiKey: null })).status).toBe(503);
    await expectRunOnlyByOwners(cluster, cluster.workers);

    // SIGTERM: the owner of one of the sessions now hands them over as it exits.
    const stopped = cluster.worker(afterDrain.get(names[0])!);
    const rest = cluster.workers.filter((worker) => worker !== stopped && worker !== drained);
    const exit = cluster.stopGracefully(stopped);
    const afterStop = await ownersOnceWorking(rest[0].api, names, { timeoutMs: 10_000, notOn: [drained.id, stopped.id] });
    expect(await exit).toBe(0);
    expect([...afterStop.values()].every((owner) => owner === rest[0].id)).toBe(true);

    await cluster.restart(stopped);
    await cluster.stopGracefully(drained);
    await cluster.restart(drained);
  });

  test("a config written through one worker is read through another within a second", async ({ cluster }) => {
    const [w1, w2] = cluster.workers;
    expect((await w1.api.post("/api/sessions", { name: "fresh", start: false })).status).toBe(201);
    created.push("fresh");
    for (let round = 1; round <= 3; round++) {
      // w2 has the session in its read cache before the write.
      expect((await w2.api.get(`/api/sessions/fresh`)).status).toBe(200);
      expect((await w1.api.put("/api/sessions/fresh", { config: { metadata: { round: String(round) } } })).status).toBe(200);
      const written = Date.now();
      // Timed at the start of each read, so a slow answer on a busy machine does not count as staleness.
      for (;;) {
        const askedAfter = Date.now() - written;
        const read = await w2.api.get<TSessionRow>("/api/sessions/fresh");
        if (read.body.config.metadata?.round === String(round)) break;
        expect(askedAfter, `round ${round}: w2 still answered the old config to a read sent ${askedAfter} ms after the write`).toBeLessThan(
          1000,
        );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  });

  test("Socket.IO and /ws clients through nginx get the status events of sessions on every worker", async ({ cluster }) => {
    const socket = socketThrough(cluster);
    await new Promise<void>((resolve, reject) => {
      socket.on("connect", () => resolve());
      socket.on("connect_error", reject);
    });
    const viaSocket: { session: string; status: string }[] = [];
    socket.on("session.status", (message: { session: string; status: string }) => viaSocket.push(message));
    await socket.emitWithAck("subscribe", { session: "*" });

    const ws = rawSocketThrough(cluster, "session=*&events=session.status");
    const viaWs: { session: string; payload: { status: string } }[] = [];
    ws.on("message", (data) => viaWs.push(JSON.parse(String(data))));
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });

    const names = Array.from({ length: 6 }, (_, i) => `fanout-${i + 1}`);
    const owners = await createWorking(cluster, names);
    // Two owners at least: whichever worker each client landed on, some sessions run elsewhere.
    expect(new Set(owners.values()).size).toBeGreaterThanOrEqual(2);
    await waitFor(() => names.every((name) => viaSocket.some((m) => m.session === name && m.status === "WORKING")), {
      what: "WORKING of every session over Socket.IO",
    });
    await waitFor(() => names.every((name) => viaWs.some((m) => m.session === name && m.payload.status === "WORKING")), {
      what: "WORKING of every session over /ws",
    });
  });
});
