import { QueryClient } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TSessionPage } from "@/lib/api-client";
import { sampleDelivery } from "@/lib/sample-delivery";
import { sampleSessionHealth } from "@/lib/sample-session-health";
import type { TSession } from "@/lib/session";
import type { TSessionHealth } from "@/lib/session-health";
import type { TDeliveryList } from "@/lib/webhook-delivery";
import { queryKeys } from "./query-keys";
import { Realtime } from "./realtime";

const delivery = sampleDelivery({ session: "s1", event: "engine.event", state: "delivered", attempts: 1, lastStatusCode: 200 });
const listKey = queryKeys.deliveryList("s1", { limit: 20, offset: 0 });

function setup() {
  const queryClient = new QueryClient();
  queryClient.setQueryData<TDeliveryList>(listKey, { items: [], total: 0 });
  const errors = vi.spyOn(console, "error").mockImplementation(() => {});
  return { realtime: new Realtime(queryClient), list: () => queryClient.getQueryData<TDeliveryList>(listKey), errors };
}

afterEach(() => vi.restoreAllMocks());

describe("pushed messages", () => {
  it("a delivery.update puts the delivery on the open list", () => {
    const { realtime, list, errors } = setup();
    realtime.receive("delivery.update", { session: "s1", delivery });
    expect(list()).toEqual({ items: [delivery], total: 1 });
    expect(errors).not.toHaveBeenCalled();
  });

  it("a delivery.update marks that delivery's open detail for asking again, and no other", () => {
    const queryClient = new QueryClient();
    const realtime = new Realtime(queryClient);
    const detail = queryKeys.delivery("s1", delivery.id);
    const other = queryKeys.delivery("s1", "dlv_other");
    queryClient.setQueryData(detail, { id: delivery.id });
    queryClient.setQueryData(other, { id: "dlv_other" });
    realtime.receive("delivery.update", { session: "s1", delivery });
    expect(queryClient.getQueryState(detail)?.isInvalidated).toBe(true);
    expect(queryClient.getQueryState(other)?.isInvalidated).toBe(false);
  });

  it("a delivery.update older than the row on screen leaves the row as it is", () => {
    const { realtime, list } = setup();
    realtime.receive("delivery.update", { session: "s1", delivery });
    realtime.receive("delivery.update", {
      session: "s1",
      delivery: { ...delivery, state: "in_flight", attempts: 0, lastStatusCode: null },
    });
    expect(list()).toEqual({ items: [delivery], total: 1 });
  });

  it("a delivery.update carrying { delivery, attempt } is dropped and logged, the cache untouched", () => {
    const { realtime, list, errors } = setup();
    realtime.receive("delivery.update", { session: "s1", delivery: { delivery, attempt: null } });
    expect(list()).toEqual({ items: [], total: 0 });
    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors.mock.calls[0][0]).toMatch(/^Dropped a "delivery.update" message that does not match its schema: .*delivery\.state: /);
  });

  it("an event with a wrong shape never reaches the live event log", () => {
    const { realtime, errors } = setup();
    realtime.receive("event", { session: "s1", event: "message" });
    realtime.receive("engine.event", { session: "s1", event: "ready", data: null, timestamp: 5 });
    expect(realtime.events.read("s1").map((item) => item.event)).toEqual(["ready"]);
    expect(errors).toHaveBeenCalledTimes(1);
  });

  it("the event monitor's log (*) gets every session's valid envelopes, and neither raw engine events nor wrong shapes", () => {
    const { realtime, errors } = setup();
    const envelope = (session: string) => ({
      id: "evt_01jabcdefghjkmnpqrstvwxyz0",
      timestamp: 5,
      event: "session.status",
      session,
      me: null,
      payload: { name: session, status: "WORKING" },
      engine: "WEBJS",
      environment: { version: "1", engine: "WEBJS", tier: "CORE", browser: null, platform: "linux/x64", worker: { id: null } },
    });
    realtime.receive("event", envelope("s1"));
    realtime.receive("event", { ...envelope("s2"), event: "no.such.event" });
    realtime.receive("engine.event", { session: "s2", event: "ready", data: null, timestamp: 5 });
    realtime.receive("event", envelope("s2"));
    expect(realtime.events.read("*").map((item) => [item.session, item.event])).toEqual([
      ["s2", "session.status"],
      ["s1", "session.status"],
    ]);
    expect(realtime.events.received("*")).toBe(2);
    expect(errors).toHaveBeenCalledTimes(1);
  });
});

const HEALTH: TSessionHealth = sampleSessionHealth();
const SESSION: TSession = {
  name: "s1",
  status: "WORKING",
  config: {},
  me: { id: "1@c.us", pushName: "One" },
  engine: { engine: "WEBJS", WWebVersion: null },
  presence: null,
  timestamps: { activity: 1 },
  statuses: [],
  assignedWorker: null,
  health: HEALTH,
  resources: null,
};

describe("session pushes", () => {
  function withSession() {
    const queryClient = new QueryClient();
    queryClient.setQueryData(queryKeys.detail("s1"), SESSION);
    const listKey = queryKeys.list({ limit: 50, offset: 0 });
    queryClient.setQueryData<TSessionPage>(listKey, { items: [SESSION], total: 1 });
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    return {
      queryClient,
      realtime: new Realtime(queryClient),
      detail: () => queryClient.getQueryData<TSession>(queryKeys.detail("s1"))!,
      listed: () => queryClient.getQueryData<TSessionPage>(listKey)!.items[0],
      errors,
    };
  }

  const timelock = { enforcementType: "RESTRICT_ALL_COMPANIONS", isActive: true, timeEnforcementEnds: 1_796_000_000 };
  const probed = { ...HEALTH, probe: { ...HEALTH.probe, lastAt: 5, lastOkAt: 5, latencyMs: 2, state: "CONNECTED" } };

  it("a session.health updates the session's page and the lists: health, account with restrictions, presence, version", () => {
    const { realtime, detail, listed, errors } = withSession();
    realtime.receive("session.health", {
      session: "s1",
      health: probed,
      me: { id: "1@c.us", lid: "9@lid", pushName: "One", reachoutTimelock: timelock, messageCapping: null },
      presence: "online",
      webVersion: "2.3000.1",
      timestamp: 6,
    });
    for (const session of [detail(), listed()]) {
      expect(session.health).toEqual(probed);
      expect(session.me).toMatchObject({ lid: "9@lid", reachoutTimelock: timelock });
      expect(session.presence).toBe("online");
      expect(session.engine).toEqual({ engine: "WEBJS", WWebVersion: "2.3000.1" });
    }
    expect(errors).not.toHaveBeenCalled();
  });

  it("a session.status brings the failures in a row; a status but WORKING has no presence", () => {
    const { realtime, detail, listed } = withSession();
    realtime.receive("session.health", { session: "s1", health: probed, me: null, presence: "online", webVersion: null, timestamp: 6 });
    const failed = { ...HEALTH, failures: 2, lastFailure: { reason: "CONFLICT", timestamp: 7 } };
    realtime.receive("session.status", {
      session: "s1",
      status: "FAILED",
      statuses: [{ status: "FAILED", timestamp: 7, reason: "CONFLICT" }],
      me: null,
      data: null,
      health: failed,
      timestamp: 7,
    });
    for (const session of [detail(), listed()]) {
      expect(session).toMatchObject({ status: "FAILED", presence: null, health: { failures: 2 } });
    }
  });

  it("a session.status takes the session off a list filtered by other statuses at once, and asks filtered lists again", () => {
    vi.useFakeTimers();
    const { queryClient, realtime, listed } = withSession();
    const working = queryKeys.list({ status: ["WORKING"], limit: 50, offset: 0 });
    const failed = queryKeys.list({ status: ["FAILED"], limit: 50, offset: 0 });
    queryClient.setQueryData<TSessionPage>(working, { items: [SESSION], total: 3 });
    queryClient.setQueryData<TSessionPage>(failed, { items: [], total: 0 });
    realtime.receive("session.status", {
      session: "s1",
      status: "FAILED",
      statuses: [{ status: "FAILED", timestamp: 7, reason: "CONFLICT" }],
      me: null,
      data: null,
      health: HEALTH,
      timestamp: 7,
    });
    expect(queryClient.getQueryData<TSessionPage>(working)).toEqual({ items: [], total: 2 });
    expect(listed().status).toBe("FAILED"); // the unfiltered list keeps it, updated
    expect(queryClient.getQueryState(failed)?.isInvalidated).toBe(false);
    vi.advanceTimersByTime(1000);
    // The one it joined is asked again (it cannot know its place in the page).
    expect(queryClient.getQueryState(failed)?.isInvalidated).toBe(true);
    realtime.disconnect();
    vi.useRealTimers();
  });

  it("a delivery of a listed session that failed asks the lists again (their webhook marks); a first success does not", () => {
    vi.useFakeTimers();
    const { queryClient, realtime } = withSession();
    const listKey = queryKeys.list({ limit: 50, offset: 0 });
    const ok = sampleDelivery({ session: "s1", state: "delivered", attempts: 1, lastStatusCode: 200 });
    realtime.receive("delivery.update", { session: "s1", delivery: ok });
    realtime.receive("delivery.update", { session: "elsewhere", delivery: { ...ok, session: "elsewhere", state: "dead" } });
    vi.advanceTimersByTime(1000);
    expect(queryClient.getQueryState(listKey)?.isInvalidated).toBe(false);
    const retrying = { ...ok, state: "pending" as const, lastStatusCode: null, lastError: "ECONNREFUSED", nextAttemptAt: 9 };
    realtime.receive("delivery.update", { session: "s1", delivery: retrying });
    realtime.receive("delivery.update", { session: "s1", delivery: { ...retrying, id: "dlv_2" } });
    expect(queryClient.getQueryState(listKey)?.isInvalidated).toBe(false);
    vi.advanceTimersByTime(1000);
    expect(queryClient.getQueryState(listKey)?.isInvalidated).toBe(true);
    realtime.disconnect();
    vi.useRealTimers();
  });

  it("a confirmed subscription reads again what may have been read before the room was joined (a push in between was missed)", () => {
    const { queryClient, realtime } = withSession();
    const other = queryKeys.detail("s2");
    queryClient.setQueryData(other, { ...SESSION, name: "s2" });
    const sentAt = Date.now() + 1;
    const confirmedAt = sentAt + 10;
    // One session: what was answered before the confirmation, even after the request was sent.
    queryClient.setQueryData(queryKeys.qr("s1"), { value: "q", timestamp: 1, rotation: 0 }, { updatedAt: sentAt + 5 });
    realtime.subscribed("s1", sentAt, confirmedAt);
    expect(queryClient.getQueryState(queryKeys.detail("s1"))?.isInvalidated).toBe(true);
    expect(queryClient.getQueryState(queryKeys.qr("s1"))?.isInvalidated).toBe(true);
    expect(queryClient.getQueryState(other)?.isInvalidated).toBe(false);
    expect(queryClient.getQueryState(queryKeys.list({ limit: 50, offset: 0 }))?.isInvalidated).toBe(false);
    // Answered after the confirmation: already current.
    queryClient.setQueryData(queryKeys.qr("s1"), { value: "q2", timestamp: 2, rotation: 1 }, { updatedAt: confirmedAt + 5 });
    realtime.subscribed("s1", sentAt, confirmedAt);
    expect(queryClient.getQueryState(queryKeys.qr("s1"))?.isInvalidated).toBe(false);
    // Every session (the lists): only what was read before the request was sent, and not a session's page.
    realtime.subscribed("*", sentAt, confirmedAt);
    expect(queryClient.getQueryState(queryKeys.list({ limit: 50, offset: 0 }))?.isInvalidated).toBe(true);
    expect(queryClient.getQueryState(other)?.isInvalidated).toBe(false);
    queryClient.setQueryData(queryKeys.list({ limit: 50, offset: 0 }), [SESSION], { updatedAt: sentAt + 5 });
    realtime.subscribed("*", sentAt, confirmedAt);
    expect(queryClient.getQueryState(queryKeys.list({ limit: 50, offset: 0 }))?.isInvalidated).toBe(false);
  });

  it("a session's query still being read when its subscription is confirmed is read again", async () => {
    const { queryClient, realtime } = withSession();
    const now = Date.now();
    // Its last answer came after the confirmation, but a read is under way.
    queryClient.setQueryData(queryKeys.detail("s3"), { ...SESSION, name: "s3" }, { updatedAt: now + 100 });
    let answer!: (value: typeof SESSION) => void;
    const reading = queryClient
      .getQueryCache()
      .find({ queryKey: queryKeys.detail("s3") })!
      .fetch({
        queryKey: queryKeys.detail("s3"),
        queryFn: () => new Promise<typeof SESSION>((resolve) => (answer = resolve)),
      });
    expect(queryClient.getQueryState(queryKeys.detail("s3"))?.fetchStatus).toBe("fetching");
    realtime.subscribed("s3", now - 10, now);
    expect(queryClient.getQueryState(queryKeys.detail("s3"))?.isInvalidated).toBe(true);
    answer({ ...SESSION, name: "s3" });
    await reading;
  });

  it("a session.health of the wrong shape is dropped and logged, the session untouched", () => {
    const { realtime, detail, errors } = withSession();
    realtime.receive("session.health", {
      session: "s1",
      health: { probe: null },
      me: null,
      presence: "online",
      webVersion: null,
      timestamp: 6,
    });
    expect(detail()).toEqual(SESSION);
    expect(errors.mock.calls[0][0]).toMatch(/^Dropped a "session.health" message that does not match its schema: health\./);
  });
});
