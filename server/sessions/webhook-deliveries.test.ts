import { SECRET_PLACEHOLDER } from "@/lib/session-secrets";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isAppError, type AppError } from "@/lib/errors";
import type { TSessionConfig } from "@/lib/session-config";
import { ZDeliveryListSchema, ZWebhookDeliveryDetailSchema, type TDeliveryUpdate } from "@/lib/webhook-delivery";
import { createEventPublisher, type EventPublisher } from "@/server/events/publish-event";
import { NO_IGNORE } from "@/server/events/ignore";
import type { Db } from "@/server/db";
import type { SessionSnapshot } from "@/server/engines/engine-host";
import { listDeliveries } from "@/server/webhooks/delivery-log";
import { WebhookDispatcher } from "@/server/webhooks/dispatcher";
import { verifyBodySignature } from "@/server/webhooks/signing";
import { createTestDb, TEST_DIALECTS, type TestDb } from "@/test/support/test-db";
import { startReceiver, waitUntil, type Receiver } from "@/test/support/webhook-receiver";
import type { SessionsContext } from "./context";
import { getWebhookDelivery } from "./get-webhook-delivery";
import { listWebhookDeliveries } from "./list-webhook-deliveries";
import { redeliverWebhookDelivery } from "./redeliver-webhook-delivery";
import { listWebhookTestTargets, sendWebhookTestEvent } from "./send-webhook-test-event";
import { TEST_ENVIRONMENT } from "@/test/support/environment";

const environment = TEST_ENVIRONMENT;

let testDb: TestDb;
let db: Db;
let r: Receiver;
let dispatcher: WebhookDispatcher;
let publisher: EventPublisher;
/** What the four delivery verbs use of the services' context. */
let ctx: Pick<SessionsContext, "db" | "dispatcher" | "publisher">;
const updates: TDeliveryUpdate[] = [];

async function expectAppError(promise: Promise<unknown>, code: string, message: RegExp) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isAppError(error)).toBe(true);
  expect(error).toMatchObject({ code });
  expect((error as Error).message).toMatch(message);
}

/** The delivery verbs answer for stored sessions only (publishing itself needs no row). */
async function storeSessions(...names: string[]) {
  for (const name of names) await db.session.create({ data: { name } });
}

// Every test on each database the run has (test/support/test-db.ts).
describe.each(TEST_DIALECTS)("on %s", (dialect) => {
  beforeEach(async () => {
    testDb = await createTestDb(dialect);
    db = testDb.db;
    r = await startReceiver();
    dispatcher = new WebhookDispatcher({ db, version: "9.9.9", pruneIntervalMs: 0 });
    dispatcher.onDeliveryUpdate((u) => updates.push(u));
    publisher = createEventPublisher({
      dispatcher,
      environment,
      globalWebhook: { url: "http://127.0.0.1:9/global", events: ["session.status"] },
      ignoreDefaults: NO_IGNORE,
    });
    ctx = { db, dispatcher, publisher };
    updates.length = 0;
    await dispatcher.start();
  });

  afterEach(async () => {
    await dispatcher.stop();
    await r.close();
    await testDb.close();
  });

  describe("listWebhookDeliveries", () => {
    it("lists a session's deliveries newest first, filtered by state and event, with the total", async () => {
      await storeSessions("a", "b");
      r.setReply((req) => (JSON.parse(req.body.toString()).event === "message" ? { status: 200 } : { status: 400 }));
      const config: TSessionConfig = { webhooks: [{ url: r.url, events: ["message", "message.ack"], hmac: { key: "k" } }] };
      for (let i = 0; i < 3; i++)
        await publisher.publish({ session: "a", event: "message", payload: { i }, me: null, config, chatId: null });
      await publisher.publish({ session: "a", event: "message.ack", payload: {}, me: null, config, chatId: null });
      await publisher.publish({ session: "b", event: "message", payload: {}, me: null, config, chatId: null });
      await waitUntil(
        async () => (await db.webhookDelivery.count({ where: { state: { in: ["delivered", "dead"] } } })) === 5,
        5000,
        "finished",
      );

      const all = await listWebhookDeliveries(ctx, "a", {});
      expect(ZDeliveryListSchema.parse(all)).toEqual(all);
      expect(all.total).toBe(4);
      expect(all.items.map((d) => d.event)).toEqual(["message.ack", "message", "message", "message"]);
      expect(all.items[0]).toMatchObject({
        session: "a",
        url: r.url,
        state: "dead",
        lastStatusCode: 400,
        signed: true,
        maxAttempts: 16,
        nextAttemptAt: null,
      });
      expect(all.items[0]!.webhook).toEqual({ source: "session", index: 0 });
      expect(JSON.stringify(all)).not.toContain('"k"');

      expect((await listWebhookDeliveries(ctx, "a", { state: "dead" })).total).toBe(1);
      expect((await listWebhookDeliveries(ctx, "a", { event: "message" })).total).toBe(3);
      const page = await listWebhookDeliveries(ctx, "a", { limit: 2, offset: 1 });
      expect(page.total).toBe(4);
      expect(page.items.map((d) => d.id)).toEqual(all.items.slice(1, 3).map((d) => d.id));
      expect((await listDeliveries(db, { session: "nobody" })).total).toBe(0);
      // Through the verb, a session that is not stored is a 404, as for every session route.
      await expectAppError(listWebhookDeliveries(ctx, "nobody", {}), "session_not_found", /Session 'nobody' not found/);
    });
  });

  describe("getWebhookDelivery", () => {
    it("returns every attempt, the envelope and the request's headers with custom header values redacted", async () => {
      await storeSessions("a");
      r.setReply((_, i) => (i === 0 ? { status: 500, body: "oops" } : { status: 200, body: "thanks" }));
      const config: TSessionConfig = {
        webhooks: [
          {
            url: r.url,
            events: ["message"],
            retries: { delaySeconds: 0 },
            hmac: { key: "hmac-secret" },
            customHeaders: [{ name: "Authorization", value: "Bearer header-secret" }],
          },
        ],
      };
      const envelope = await publisher.publish({ session: "a", event: "message", payload: { body: "hi" }, me: null, config, chatId: null });
      await waitUntil(async () => (await db.webhookDelivery.count({ where: { state: "delivered" } })) === 1, 5000, "delivered");
      const [row] = (await listWebhookDeliveries(ctx, "a", {})).items;
      const detail = await getWebhookDelivery(ctx, "a", row!.id);
      expect(ZWebhookDeliveryDetailSchema.parse(detail)).toEqual(detail);
      expect(detail.envelope).toEqual(envelope);
      expect(detail.attemptLog.map((a) => [a.cycle, a.number, a.statusCode, a.outcome, a.responseExcerpt])).toEqual([
        [1, 1, 500, "retry", "oops"],
        [1, 2, 200, "delivered", "thanks"],
      ]);
      // The headers the receiver got, but for the custom header's value; the key appears nowhere.
      const sent = r.requests[0]!.headers;
      expect(detail.request).toEqual({
        url: r.url,
        headers: {
          "User-Agent": sent["user-agent"],
          Authorization: SECRET_PLACEHOLDER,
          "Content-Type": "application/json",
          "X-Webhook-Request-Id": sent["x-webhook-request-id"],
          "X-Webhook-Timestamp": sent["x-webhook-timestamp"],
          "X-Webhook-Hmac": sent["x-webhook-hmac"],
          "X-Webhook-Hmac-Algorithm": sent["x-webhook-hmac-algorithm"],
        },
      });
      expect(JSON.stringify(detail)).not.toMatch(/hmac-secret|header-secret/);
      await expectAppError(getWebhookDelivery(ctx, "other", row!.id), "not_found", /not found/);
      await expectAppError(getWebhookDelivery(ctx, "a", "dlv_missing"), "not_found", /Webhook delivery 'dlv_missing' not found/);
    });
  });

  describe("redeliverWebhookDelivery", () => {
    it("sends a delivered or dead row again with the same body and request id, as a new cycle", async () => {
      await storeSessions("a");
      r.setReply(() => ({ status: 410 }));
      const config: TSessionConfig = { webhooks: [{ url: r.url, events: ["message"], hmac: { key: "k" } }] };
      await publisher.publish({ session: "a", event: "message", payload: {}, me: null, config, chatId: null });
      await waitUntil(async () => (await db.webhookDelivery.count({ where: { state: "dead" } })) === 1, 5000, "dead");
      const [dead] = (await listWebhookDeliveries(ctx, "a", {})).items;

      r.setReply(() => ({ status: 200 }));
      const requeued = await redeliverWebhookDelivery(ctx, "a", dead!.id);
      expect(requeued).toMatchObject({ id: dead!.id, state: "pending", attempts: 0, cycle: 2, lastError: null, finishedAt: null });
      await r.waitFor(2);
      await waitUntil(async () => (await db.webhookDelivery.count({ where: { state: "delivered" } })) === 1, 5000, "delivered");
      const [first, second] = r.requests;
      expect(second!.headers["x-webhook-request-id"]).toBe(first!.headers["x-webhook-request-id"]);
      expect(second!.body.equals(first!.body)).toBe(true);
      expect(verifyBodySignature(second!.body, "k", String(second!.headers["x-webhook-hmac"]))).toBe(true);
      const detail = await getWebhookDelivery(ctx, "a", dead!.id);
      expect(detail).toMatchObject({ state: "delivered", cycle: 2, attempts: 1 });
      expect(detail.attemptLog.map((a) => [a.cycle, a.number, a.outcome])).toEqual([
        [1, 1, "dead"],
        [2, 1, "delivered"],
      ]);
      expect(updates.some((u) => u.delivery.id === dead!.id && u.delivery.cycle === 2 && u.attempt === null)).toBe(true);

      // A delivered row can be redelivered too.
      await redeliverWebhookDelivery(ctx, "a", dead!.id);
      await r.waitFor(3);
      await expectAppError(redeliverWebhookDelivery(ctx, "a", "dlv_missing"), "not_found", /not found/);
      await expectAppError(redeliverWebhookDelivery(ctx, "b", dead!.id), "not_found", /not found/);
    });

    it("makes a pending row that waits for a retry go now", async () => {
      await storeSessions("a");
      r.setReply((_, i) => (i === 0 ? { status: 503 } : { status: 200 }));
      const config: TSessionConfig = { webhooks: [{ url: r.url, events: ["message"], retries: { delaySeconds: 3600 } }] };
      await publisher.publish({ session: "a", event: "message", payload: {}, me: null, config, chatId: null });
      await waitUntil(async () => (await db.webhookAttempt.count()) === 1, 5000, "first attempt");
      const [waiting] = (await listWebhookDeliveries(ctx, "a", {})).items;
      expect(waiting!.nextAttemptAt! - Date.now()).toBeGreaterThan(3_500_000);
      const now = await redeliverWebhookDelivery(ctx, "a", waiting!.id);
      expect(now).toMatchObject({ state: "pending", attempts: 1, cycle: 1 });
      await r.waitFor(2);
      await waitUntil(async () => (await db.webhookDelivery.count({ where: { state: "delivered" } })) === 1, 5000, "delivered");
    });
  });

  describe("webhook test events", () => {
    const statuses = [{ status: "WORKING" as const, timestamp: 1, reason: "ready" }];
    // The session's live status, as the engine host reports it.
    const host = { snapshot: (name: string) => ({ name, status: "WORKING", statuses }) as unknown as SessionSnapshot };
    const testCtx = () => ({ ...ctx, host });

    beforeEach(async () => {
      const config: TSessionConfig = {
        metadata: { tenant: "acme" },
        webhooks: [
          { url: r.url, events: ["message"] },
          { url: r.url, events: ["message", "session.status"], hmac: { key: "k" } },
          { url: "http://127.0.0.1:9/no-events", events: [] },
          { url: r.url, events: ["*"] },
        ],
      };
      await db.session.create({ data: { name: "a", config: JSON.stringify(config), meId: "111@c.us", mePushName: "Ann" } });
    });

    it("lists the real targets, the global one last, each with the event its test is", async () => {
      expect(await listWebhookTestTargets(ctx, "a")).toEqual({
        targets: [
          { webhook: 0, source: "session", index: 0, url: r.url, events: ["message"], event: "engine.event", subscribed: false },
          {
            webhook: 1,
            source: "session",
            index: 1,
            url: r.url,
            events: ["message", "session.status"],
            event: "session.status",
            subscribed: true,
          },
          { webhook: 3, source: "session", index: 3, url: r.url, events: ["*"], event: "session.status", subscribed: true },
          {
            webhook: "global",
            source: "global",
            index: null,
            url: "http://127.0.0.1:9/global",
            events: ["session.status"],
            event: "session.status",
            subscribed: true,
          },
        ],
      });
      const withoutGlobal = createEventPublisher({ dispatcher, environment, globalWebhook: null, ignoreDefaults: NO_IGNORE });
      const { targets } = await listWebhookTestTargets({ db, publisher: withoutGlobal }, "a");
      expect(targets.map((t) => t.webhook)).toEqual([0, 1, 3]);
    });

    it("sends an event the webhook subscribed to, with that event's payload marked as a test", async () => {
      const delivery = await sendWebhookTestEvent(testCtx(), "a", 1);
      expect(delivery).toMatchObject({ session: "a", event: "session.status", url: r.url, webhook: { source: "session", index: 1 } });
      await r.waitFor(1);
      const body = JSON.parse(r.requests[0]!.body.toString());
      expect(body).toMatchObject({
        event: "session.status",
        session: "a",
        metadata: { tenant: "acme" },
        me: { id: "111@c.us", pushName: "Ann" },
        payload: { name: "a", status: "WORKING", statuses, data: { test: true, webhook: { source: "session", index: 1, url: r.url } } },
        engine: "WEBJS",
      });
      expect(r.requests[0]!.headers["x-webhook-request-id"]).toBe(delivery.id);
      expect(verifyBodySignature(r.requests[0]!.body, "k", String(r.requests[0]!.headers["x-webhook-hmac"]))).toBe(true);
      await waitUntil(async () => (await db.webhookDelivery.count({ where: { state: "delivered" } })) === 1, 5000, "delivered");
    });

    it("sends engine.event webhook.test to a webhook subscribed to nothing Switchboard emits", async () => {
      const delivery = await sendWebhookTestEvent(testCtx(), "a", 0);
      expect(delivery).toMatchObject({ event: "engine.event", webhook: { source: "session", index: 0 } });
      await r.waitFor(1);
      expect(JSON.parse(r.requests[0]!.body.toString())).toMatchObject({
        event: "engine.event",
        payload: { event: "webhook.test", data: { test: true, webhook: { source: "session", index: 0 } } },
      });
    });

    it("finds the target by URL (the first webhook with it) and can target the global webhook", async () => {
      expect(await sendWebhookTestEvent(testCtx(), "a", r.url)).toMatchObject({ event: "engine.event", webhook: { index: 0 } });
      const global = await sendWebhookTestEvent(testCtx(), "a", "global");
      expect(global).toMatchObject({
        event: "session.status",
        webhook: { source: "global", index: null },
        url: "http://127.0.0.1:9/global",
      });
    });

    it("refuses an unknown session, and an unknown target as a 400 on the field webhook", async () => {
      await expectAppError(sendWebhookTestEvent(testCtx(), "nobody", 0), "session_not_found", /Session 'nobody' not found/);
      await expectAppError(listWebhookTestTargets(ctx, "nobody"), "session_not_found", /Session 'nobody' not found/);
      for (const [webhook, message] of [
        [5, /no webhook at index 5 of config.webhooks/],
        [2, /no webhook at index 2 of config.webhooks with a url and at least one event/],
        ["http://elsewhere.test/", /no webhook with the url http:\/\/elsewhere.test\//],
      ] as const) {
        const error = await sendWebhookTestEvent(testCtx(), "a", webhook).catch((e: unknown) => e as AppError);
        expect(error).toMatchObject({
          code: "validation_failed",
          statusCode: 400,
          details: [{ field: "webhook", message: expect.stringMatching(message) }],
        });
      }
      const withoutGlobal = createEventPublisher({ dispatcher, environment, globalWebhook: null, ignoreDefaults: NO_IGNORE });
      const error = await sendWebhookTestEvent({ ...testCtx(), publisher: withoutGlobal }, "a", "global").catch(
        (e: unknown) => e as AppError,
      );
      expect(error).toMatchObject({
        statusCode: 400,
        details: [{ field: "webhook", message: expect.stringMatching(/no global webhook is configured/) }],
      });
      expect(await db.webhookDelivery.count()).toBe(0);
    });
  });
});
