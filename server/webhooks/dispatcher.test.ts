import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TWebhookConfig } from "@/lib/session-config";
import type { TDeliveryUpdate } from "@/lib/webhook-delivery";
import { systemClock, type Clock } from "@/server/engines/clock";
import { createEventPublisher, type EventPublisher } from "@/server/events/publish-event";
import { NO_IGNORE } from "@/server/events/ignore";
import type { Db } from "@/server/db";
import { DEFAULT_WEBHOOK_CONCURRENCY } from "@/server/env";
import { formatTraceparent, runInRequest, startTrace } from "@/server/request-context";
import { WebhookDispatcher, type WebhookDispatcherOptions } from "./dispatcher";
import { verifyBodySignature } from "./signing";
import { createTestDb, TEST_DIALECTS, type TestDb } from "@/test/support/test-db";
import { reservePort, startReceiver, waitUntil, type Receiver, type TReply } from "@/test/support/webhook-receiver";
import { TEST_ENVIRONMENT } from "@/test/support/environment";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const environment = TEST_ENVIRONMENT;

let testDb: TestDb;
let db: Db;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...args);
  cleanups.push(() => r.close());
  return r;
}

function dispatcher(options: Partial<WebhookDispatcherOptions> = {}): WebhookDispatcher {
  const d = new WebhookDispatcher({ db, version: "9.9.9", pruneIntervalMs: 0, stopTimeoutMs: 200, ...options });
  cleanups.push(() => d.stop());
  return d;
}

function publisherFor(d: WebhookDispatcher, globalWebhook: TWebhookConfig | null = null, clock: Clock = systemClock): EventPublisher {
  return createEventPublisher({ dispatcher: d, environment, globalWebhook, ignoreDefaults: NO_IGNORE, clock });
}

const fast = (policy: "constant" | "linear" | "exponential" = "constant", attempts = 20) => ({ policy, delaySeconds: 0.02, attempts });

async function publishMany(publisher: EventPublisher, count: number, webhooks: TWebhookConfig[], session = "s1") {
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      publisher.publish({ session, event: "message", payload: { from: "1@c.us", body: `m${i}` }, me: null, config: { webhooks } }),
    ),
  );
}

async function states(): Promise<Record<string, number>> {
  const rows = await db.webhookDelivery.groupBy({ by: ["state"], _count: true });
  return Object.fromEntries(rows.map((r) => [r.state, r._count]));
}

// Every test on each database the run has (test/support/test-db.ts).
describe.each(TEST_DIALECTS)("on %s", (dialect) => {
  beforeEach(async () => {
    testDb = await createTestDb(dialect);
    db = testDb.db;
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await testDb.close();
  });

  describe("WebhookDispatcher against a real receiver", () => {
    it("POSTs the stored envelope bytes with WAHA's headers, HMAC and custom headers", async () => {
      const r = await receiver();
      const d = dispatcher();
      await d.start();
      const publisher = publisherFor(d);
      const envelope = await publisher.publish({
        session: "s1",
        event: "message",
        payload: { from: "1@c.us", body: "héllo 👋" },
        me: { id: "111@c.us", pushName: "Ann" },
        config: {
          metadata: { tenant: "acme" },
          webhooks: [
            {
              url: r.url,
              events: ["message"],
              hmac: { key: "s3cret" },
              customHeaders: [
                { name: "X-Tenant", value: "acme" },
                { name: "Authorization", value: "Bearer abc" },
                { name: "User-Agent", value: "Custom/1" },
                { name: "Content-Type", value: "text/plain" },
                { name: "X-Webhook-Request-Id", value: "forged" },
              ],
            },
          ],
        },
      });
      await r.waitFor(1);
      await d.whenIdle();
      const [request] = r.requests;
      const [row] = await db.webhookDelivery.findMany();
      const stored = await db.webhookEvent.findUniqueOrThrow({ where: { id: envelope!.id } });

      expect(request!.method).toBe("POST");
      expect(request!.path).toBe("/hook");
      expect(request!.body.toString("utf8")).toBe(stored.body);
      expect(JSON.parse(request!.body.toString("utf8"))).toEqual(envelope);
      const h = request!.headers;
      expect(h["content-type"]).toBe("application/json");
      expect(h["content-length"]).toBe(String(request!.body.length));
      expect(h["x-webhook-request-id"]).toBe(row!.id);
      expect(h["x-webhook-request-id"]).toMatch(/^dlv_[0-9a-z]{26}$/);
      expect(h["x-webhook-timestamp"]).toBe(String(envelope!.timestamp));
      expect(h["x-webhook-hmac-algorithm"]).toBe("sha512");
      expect(verifyBodySignature(request!.body, "s3cret", String(h["x-webhook-hmac"]))).toBe(true);
      expect(h["x-tenant"]).toBe("acme");
      expect(h["authorization"]).toBe("Bearer abc");
      expect(h["user-agent"]).toBe("Custom/1");
      expect(row).toMatchObject({ state: "delivered", attempts: 1, lastStatusCode: 200, lastError: null });
    });

    it("sends no HMAC headers without a key, and User-Agent Switchboard/<version>", async () => {
      const r = await receiver();
      const d = dispatcher();
      await d.start();
      await publishMany(publisherFor(d), 1, [{ url: r.url, events: ["*"] }]);
      await r.waitFor(1);
      const h = r.requests[0]!.headers;
      expect(h["user-agent"]).toBe("Switchboard/9.9.9");
      expect(h["x-webhook-hmac"]).toBeUndefined();
      expect(h["x-webhook-hmac-algorithm"]).toBeUndefined();
    });

    it("retries 5xx and network failures with the same request id, logging every attempt", async () => {
      const r = await receiver((_, i) => (i < 2 ? { status: 503, body: "busy", headers: { "Retry-After": "0" } } : { status: 204 }));
      const d = dispatcher();
      await d.start();
      await publishMany(publisherFor(d), 1, [{ url: r.url, events: ["message"], retries: fast("linear") }]);
      await r.waitFor(3);
      await waitUntil(async () => (await states()).delivered === 1, 5000, "delivered");
      expect(new Set(r.requests.map((q) => q.headers["x-webhook-request-id"])).size).toBe(1);
      expect(new Set(r.requests.map((q) => q.body.toString())).size).toBe(1);
      const attempts = await db.webhookAttempt.findMany({ orderBy: { number: "asc" } });
      expect(attempts.map((a) => [a.number, a.statusCode, a.outcome, a.error])).toEqual([
        [1, 503, "retry", "HTTP 503"],
        [2, 503, "retry", "HTTP 503"],
        [3, 204, "delivered", null],
      ]);
      expect(attempts[0]!.responseExcerpt).toBe("busy");
      expect(attempts.every((a) => a.latencyMs >= 0)).toBe(true);
      const row = await db.webhookDelivery.findFirstOrThrow();
      expect(row).toMatchObject({ state: "delivered", attempts: 3, lastStatusCode: 204 });
      // linear: the second retry waited at least 2 x 20 ms
      expect(r.requests[2]!.receivedAt - r.requests[1]!.receivedAt).toBeGreaterThanOrEqual(35);
    });

    it("sends the traceparent of the request that caused an event on every attempt, and none for the rest", async () => {
      // The traced event's first attempt fails, so its retry shows what a retry sends.
      let tracedAttempts = 0;
      const r = await receiver((request) =>
        request.body.toString().includes('"traced"') && tracedAttempts++ === 0 ? { status: 503 } : { status: 204 },
      );
      const d = dispatcher();
      await d.start();
      const publisher = publisherFor(d);
      const webhooks: TWebhookConfig[] = [{ url: r.url, events: ["message"], retries: fast() }];
      const trace = startTrace("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
      const publish = (body: string) =>
        publisher.publish({ session: "s1", event: "message", payload: { body }, me: null, config: { webhooks } });
      await runInRequest(trace, () => publish("traced")).result;
      await publish("untraced");
      await r.waitFor(3);
      const traced = r.requests.filter((q) => q.body.toString().includes('"traced"'));
      expect(traced.map((q) => q.headers.traceparent)).toEqual([formatTraceparent(trace), formatTraceparent(trace)]);
      expect(formatTraceparent(trace)).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
      expect(r.requests.find((q) => q.body.toString().includes("untraced"))!.headers.traceparent).toBeUndefined();
    });

    it("marks a 4xx receiver bug dead at once, without retrying", async () => {
      const r = await receiver(() => ({ status: 404, body: "no such route" }));
      const d = dispatcher();
      await d.start();
      await publishMany(publisherFor(d), 1, [{ url: r.url, events: ["message"], retries: fast() }]);
      await waitUntil(async () => (await states()).dead === 1, 5000, "dead");
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(r.requests).toHaveLength(1);
      const row = await db.webhookDelivery.findFirstOrThrow();
      expect(row).toMatchObject({ state: "dead", attempts: 1, lastStatusCode: 404, lastError: "HTTP 404; not retried" });
      expect(row.finishedAt).not.toBeNull();
    });

    it("retries 429 (honouring Retry-After) and 408, and does not follow redirects", async () => {
      const r = await receiver((req, i): TReply => {
        if (req.path === "/moved") return { status: 302, headers: { Location: "http://elsewhere.test/" } };
        return i === 0 ? { status: 429, headers: { "Retry-After": "1" } } : i === 1 ? { status: 408 } : { status: 200 };
      });
      const d = dispatcher();
      await d.start();
      const publisher = publisherFor(d);
      await publishMany(publisher, 1, [{ url: r.url, events: ["message"], retries: fast() }]);
      await r.waitFor(2, 5000);
      // Retry-After: 1 beats the 20 ms policy delay.
      expect(r.requests[1]!.receivedAt - r.requests[0]!.receivedAt).toBeGreaterThanOrEqual(950);
      await r.waitFor(3, 5000);
      await publishMany(publisher, 1, [{ url: r.url.replace("/hook", "/moved"), events: ["message"], retries: fast() }]);
      await waitUntil(async () => (await states()).dead === 1, 5000, "redirect dead");
      const dead = await db.webhookDelivery.findFirstOrThrow({ where: { state: "dead" } });
      expect(dead.lastError).toBe("HTTP 302: redirect to http://elsewhere.test/ not followed; not retried");
    });

    it("gives up after `attempts` retries (attempts + 1 requests)", async () => {
      const r = await receiver(() => ({ status: 500 }));
      const d = dispatcher();
      await d.start();
      await publishMany(publisherFor(d), 1, [
        { url: r.url, events: ["message"], retries: { policy: "constant", delaySeconds: 0, attempts: 3 } },
      ]);
      await waitUntil(async () => (await states()).dead === 1, 5000, "dead");
      expect(r.requests).toHaveLength(4);
      const row = await db.webhookDelivery.findFirstOrThrow();
      expect(row.lastError).toBe("HTTP 500; gave up after 4 attempts");
      expect(await db.webhookAttempt.count()).toBe(4);
    });

    it("times out a receiver that does not answer, and keeps at most 1 KiB of a response", async () => {
      const r = await receiver((_, i) => (i === 0 ? { status: 200, hang: true } : { status: 500, body: "é".repeat(3000) }));
      const d = dispatcher({ requestTimeoutMs: 150 });
      await d.start();
      await publishMany(publisherFor(d), 1, [{ url: r.url, events: ["message"], retries: { delaySeconds: 0, attempts: 1 } }]);
      await waitUntil(async () => (await states()).dead === 1, 5000, "dead");
      const attempts = await db.webhookAttempt.findMany({ orderBy: { number: "asc" } });
      expect(attempts[0]).toMatchObject({ statusCode: null, error: "timeout after 150 ms", outcome: "retry" });
      expect(attempts[0]!.latencyMs).toBeGreaterThanOrEqual(140);
      expect(attempts[1]).toMatchObject({ statusCode: 500, outcome: "dead" });
      expect(Buffer.byteLength(attempts[1]!.responseExcerpt!)).toBeLessThanOrEqual(1024);
      expect(attempts[1]!.responseExcerpt).toBe("é".repeat(512));
    });

    it("sends a target that is down one request per retry delay, not one per delivery, and delivers all when it is back", async () => {
      const port = await reservePort();
      const url = `http://127.0.0.1:${port}/hook`;
      const d = dispatcher();
      await d.start();
      await publishMany(publisherFor(d), 50, [
        { url, events: ["message"], retries: { policy: "constant", delaySeconds: 0.2, attempts: 100 } },
      ]);
      const published = performance.now();
      // The first requests (a lane's concurrency) go out together; then one probe per 200 ms, not 50. The bound
      // counts the delays that really passed, so a slow machine (fewer probes in its time) passes too.
      const together = DEFAULT_WEBHOOK_CONCURRENCY;
      await waitUntil(async () => (await db.webhookAttempt.count()) >= together, 5000, "the first requests");
      await new Promise((resolve) => setTimeout(resolve, 600));
      const attempts = await db.webhookAttempt.count();
      expect(attempts).toBeLessThanOrEqual(together + Math.ceil((performance.now() - published) / 200) + 1);
      expect((await states()).dead).toBeUndefined();
      const failed = await db.webhookAttempt.findFirstOrThrow();
      expect(failed.error).toMatch(/ECONNREFUSED/);
      expect(failed.outcome).toBe("retry");

      const r = await receiver(undefined, port);
      await waitUntil(async () => (await states()).delivered === 50, 5000, "all delivered");
      expect(new Set(r.requests.map((q) => q.headers["x-webhook-request-id"])).size).toBe(50);
    });

    it("a dead target does not slow a live one, and holds at most concurrencyPerTarget requests", async () => {
      const stuck = await receiver(() => ({ status: 200, hang: true }));
      const live = await receiver();
      const d = dispatcher({ concurrencyPerTarget: 4, requestTimeoutMs: 30_000 });
      await d.start();
      const publisher = publisherFor(d);
      const webhooks = [
        { url: stuck.url, events: ["message" as const] },
        { url: live.url, events: ["message" as const] },
      ];
      await publishMany(publisher, 300, webhooks);
      // Every live delivery lands while the dead target's requests still hang (their timeout is 30 s):
      // the live target never waited for the dead one. No wall-clock bound, so a busy machine passes too.
      await live.waitFor(300, 20_000);
      await waitUntil(() => stuck.hanging === 4, 5000, "4 stuck requests");
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(stuck.requests).toHaveLength(4);
      expect(await states()).toMatchObject({ delivered: 300 });

      // Shutdown aborts the stuck requests and hands every unsent row back, without counting an attempt.
      await d.stop();
      expect(await states()).toEqual({ delivered: 300, pending: 300 });
      expect(
        await db.webhookAttempt.count({
          where: { deliveryId: { in: (await db.webhookDelivery.findMany({ where: { url: stuck.url } })).map((r) => r.id) } },
        }),
      ).toBe(0);
    });

    it("a dead target's backlog in the database does not hold back a live target's rows (claim path)", async () => {
      const stuck = await receiver(() => ({ status: 200, hang: true }));
      const live = await receiver();
      // Tiny lanes: most rows of both targets wait as pending rows and must be claimed from the database,
      // where the stuck target's rows are due first.
      const d = dispatcher({ concurrencyPerTarget: 2, maxQueuedPerTarget: 4, requestTimeoutMs: 30_000 });
      const publisher = publisherFor(d);
      await publishMany(publisher, 150, [{ url: stuck.url, events: ["message"] }], "first");
      await publishMany(publisher, 150, [{ url: live.url, events: ["message"] }], "second");
      expect(await states()).toEqual({ pending: 300 });
      await d.start();
      // About 40 claim rounds of a few rows each: a round trip to PostgreSQL each, on a busy machine.
      await live.waitFor(150, 20_000);
      await waitUntil(async () => (await states()).delivered === 150, 20_000, "live delivered");
      expect(stuck.requests).toHaveLength(2);
      expect(await states()).toEqual({ delivered: 150, in_flight: 4, pending: 146 });
    }, 45_000);

    it("rows written while stopped are delivered after start()", async () => {
      const r = await receiver();
      const d = dispatcher();
      await publishMany(publisherFor(d), 5, [{ url: r.url, events: ["message"] }]);
      expect(await states()).toEqual({ pending: 5 });
      expect(r.requests).toHaveLength(0);
      await d.start();
      await r.waitFor(5);
      await waitUntil(async () => (await states()).delivered === 5, 5000, "delivered");
    });

    it("reports every change to onDeliveryUpdate listeners", async () => {
      const r = await receiver((_, i) => (i === 0 ? { status: 500 } : { status: 200 }));
      const d = dispatcher();
      const updates: TDeliveryUpdate[] = [];
      const unsubscribe = d.onDeliveryUpdate((u) => updates.push(u));
      await d.start();
      await publishMany(publisherFor(d), 1, [{ url: r.url, events: ["message"], retries: fast() }]);
      await waitUntil(() => updates.some((u) => u.delivery.state === "delivered"), 5000, "delivered update");
      // Fresh rows for a target with free slots are written in_flight and sent straight after the commit.
      expect(updates.map((u) => [u.delivery.state, u.delivery.attempts, u.attempt?.outcome ?? null])).toEqual([
        ["in_flight", 0, null],
        ["pending", 1, "retry"],
        ["delivered", 2, "delivered"],
      ]);
      expect(updates[1]!.delivery.nextAttemptAt).toBeGreaterThan(0);
      expect(updates[2]!.delivery.finishedAt).toBeGreaterThan(0);
      unsubscribe();
      await publishMany(publisherFor(d), 1, [{ url: r.url, events: ["message"] }]);
      await r.waitFor(3);
      expect(updates).toHaveLength(3);
    });

    it("recovers rows a killed process left in_flight (kill -9) and delivers them at the next start", async () => {
      const r = await receiver(() => ({ status: 200, hang: true }));
      const writer = dispatcher();
      await publishMany(publisherFor(writer), 10, [{ url: r.url, events: ["message"] }]);
      await writer.stop();

      // node --import tsx, one process: SIGKILL on the tsx CLI would kill only its wrapper.
      const child = spawn(process.execPath, ["--import", "tsx", "test/support/dispatcher-crash-child.ts"], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: testDb.url },
        stdio: ["ignore", "pipe", "pipe"],
      });
      cleanups.push(() => child.kill("SIGKILL"));
      let stderr = "";
      child.stderr.on("data", (chunk) => (stderr += chunk));
      await waitUntil(() => r.hanging === 4, 20_000, `child to send (stderr: ${stderr})`);
      expect(await states()).toEqual({ in_flight: 10 });
      const exited = new Promise((resolve) => child.on("exit", resolve));
      child.kill("SIGKILL");
      await exited;

      r.setReply(() => ({ status: 200 }));
      const d = new WebhookDispatcher({ db: testDb.reopen(), version: "9.9.9", pruneIntervalMs: 0 });
      cleanups.push(() => d.stop());
      await d.start();
      await waitUntil(async () => (await states()).delivered === 10, 5000, "recovered rows delivered");
      // At least once: the 4 requests cut off by the crash are sent again with the same request ids.
      expect(new Set(r.requests.map((q) => q.headers["x-webhook-request-id"])).size).toBe(10);
      expect(await db.webhookAttempt.count()).toBe(10);
    }, 30_000);

    it("keeps its writes when another caller's interactive transaction on the same client rolls back", async () => {
      // better-sqlite3 shares one connection: a bare write issued during someone else's interactive
      // transaction would run inside it and vanish with its rollback. Here boot recovery runs meanwhile.
      const r = await receiver();
      const d = dispatcher();
      await publishMany(publisherFor(d), 3, [{ url: r.url, events: ["message"] }]);
      await db.webhookDelivery.updateMany({ data: { state: "in_flight" } }); // as a crashed process leaves them
      const other = db
        .$transaction(async (tx) => {
          await tx.session.create({ data: { name: "doomed" } });
          await new Promise((resolve) => setTimeout(resolve, 150));
          throw new Error("rollback");
        })
        .catch(() => "rolled back");
      await new Promise((resolve) => setTimeout(resolve, 20));
      await d.start();
      expect(await other).toBe("rolled back");
      await r.waitFor(3);
      await waitUntil(async () => (await states()).delivered === 3, 5000, "delivered");
      expect(await db.session.count()).toBe(0);
    });

    it("only dispatches rows of its own worker", async () => {
      const r = await receiver();
      const other = dispatcher({ workerId: "w2" });
      await publishMany(publisherFor(other), 2, [{ url: r.url, events: ["message"] }]);
      const d = dispatcher({ workerId: "w1" });
      await d.start();
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(r.requests).toHaveLength(0);
      await other.start();
      await r.waitFor(2);
    });
  });

  describe("pruning", () => {
    it("deletes finished rows by count and by age, with their attempts and orphaned events; pending rows stay until overdue by the max age", async () => {
      let offset = 0;
      const clock: Clock = { ...systemClock, now: () => Date.now() + offset };
      const r = await receiver();
      const port = await reservePort();
      const d = dispatcher({ clock, retention: { maxRows: 4, maxAgeMs: 7 * 24 * 3600 * 1000 } });
      await d.start();
      const publisher = publisherFor(d, null, clock);
      for (let i = 0; i < 10; i++) await publishMany(publisher, 1, [{ url: r.url, events: ["message"] }]);
      await publishMany(publisher, 1, [{ url: `http://127.0.0.1:${port}/down`, events: ["message"], retries: { delaySeconds: 3600 } }]);
      await waitUntil(async () => (await states()).delivered === 10, 5000, "delivered");
      await waitUntil(async () => (await db.webhookAttempt.count()) === 11, 5000, "attempt of the down target");

      const newest = (
        await db.webhookDelivery.findMany({ where: { state: "delivered" }, orderBy: [{ finishedAt: "desc" }, { id: "desc" }], take: 4 })
      ).map((row) => row.id);
      expect(await d.prune()).toEqual({ expired: 0, deliveries: 6, events: 6 });
      expect(await states()).toEqual({ delivered: 4, pending: 1 });
      const kept = await db.webhookDelivery.findMany({ where: { state: "delivered" }, orderBy: [{ finishedAt: "desc" }, { id: "desc" }] });
      expect(kept.map((row) => row.id)).toEqual(newest);
      expect(await db.webhookEvent.count()).toBe(5);
      expect(await db.webhookAttempt.count()).toBe(5);
      expect(await d.prune()).toEqual({ expired: 0, deliveries: 0, events: 0 });

      // The down target's retry was due in 1 h; 8 days later it is overdue by more than the 7-day max age.
      offset = 8 * 24 * 3600 * 1000;
      expect(await d.prune()).toEqual({ expired: 1, deliveries: 4, events: 4 });
      expect(await states()).toEqual({ dead: 1 });
      const expired = await db.webhookDelivery.findFirstOrThrow();
      expect(expired.lastError).toBe("expired: not delivered within 168 h of being due");
      expect(await db.webhookEvent.count()).toBe(1);
    });
  });
});
