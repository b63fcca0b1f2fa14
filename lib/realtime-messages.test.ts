import { describe, expect, it } from "vitest";
import { checkMessage, checkServerMessage, ZSubscriptionRequestSchema } from "./realtime-messages";
import { sampleDelivery } from "./sample-delivery";
import { sampleSessionHealth } from "./sample-session-health";

const delivery = sampleDelivery();
const health = sampleSessionHealth({ probe: { lastAt: 1, lastOkAt: 1, latencyMs: 3, state: "CONNECTED" } });
const timelock = { enforcementType: "RESTRICT_ALL_COMPANIONS", isActive: true, timeEnforcementEnds: 1_796_000_000 };

describe("delivery.update", () => {
  it("is { session, delivery } with the delivery as the API returns it", () => {
    const checked = checkServerMessage("delivery.update", { session: "default", delivery });
    expect(checked).toEqual({ ok: true, message: { session: "default", delivery } });
  });

  it("rejects the dispatcher's { delivery, attempt } update in place of the delivery, naming the paths", () => {
    const checked = checkServerMessage("delivery.update", { session: "default", delivery: { delivery, attempt: null } });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.issues).toEqual(
      expect.arrayContaining([expect.stringMatching(/^delivery\.state: /), expect.stringMatching(/^delivery\.id: /)]),
    );
  });
});

describe("the other server messages", () => {
  const envelope = {
    id: "evt_1",
    timestamp: 1,
    event: "session.status",
    session: "default",
    me: null,
    payload: { status: "STARTING" },
    engine: "WEBJS",
    environment: { version: "0.1.0", engine: "WEBJS", tier: "PLUS", browser: null, platform: "linux/x64", worker: { id: null } },
  };

  it("accept what the server sends", () => {
    expect(
      checkServerMessage("session.status", {
        session: "a",
        status: "WORKING",
        statuses: [],
        me: { id: "1@c.us", lid: "2@lid", jid: "1:3@s.whatsapp.net", pushName: null, reachoutTimelock: timelock, messageCapping: null },
        data: { reachoutTimelock: timelock },
        health,
        timestamp: 1,
      }).ok,
    ).toBe(true);
    expect(
      checkServerMessage("session.health", {
        session: "a",
        health,
        me: null,
        presence: "online",
        webVersion: "2.3000.1017054665",
        timestamp: 1,
      }).ok,
    ).toBe(true);
    expect(checkServerMessage("session.qr", { session: "a", value: null, timestamp: 1 }).ok).toBe(true);
    expect(checkServerMessage("engine.event", { session: "a", event: "ready", data: { any: "thing" }, timestamp: 1 }).ok).toBe(true);
    expect(checkServerMessage("event", envelope).ok).toBe(true);
  });

  it("reject a wrong shape with each issue's path", () => {
    expect(
      checkServerMessage("session.status", { session: "a", status: "BUSY", statuses: [], me: null, data: null, health, timestamp: 1 }),
    ).toEqual({
      ok: false,
      issues: [expect.stringMatching(/^status: /)],
    });
    // A WORKING whose data lost its shape, and a health message without its health block.
    expect(
      checkServerMessage("session.status", {
        session: "a",
        status: "WORKING",
        statuses: [],
        me: null,
        data: { reachoutTimelock: { isActive: "yes" } },
        health,
        timestamp: 1,
      }),
    ).toEqual({ ok: false, issues: expect.arrayContaining([expect.stringMatching(/^data\.reachoutTimelock\.isActive: /)]) });
    expect(checkServerMessage("session.health", { session: "a", me: null, presence: "away", webVersion: null, timestamp: 1 })).toEqual({
      ok: false,
      issues: expect.arrayContaining([expect.stringMatching(/^health: /), expect.stringMatching(/^presence: /)]),
    });
    expect(checkServerMessage("session.qr", { session: "a", value: 42, timestamp: 1 }).ok).toBe(false);
    expect(checkServerMessage("event", { ...envelope, event: "no.such.event" }).ok).toBe(false);
    expect(checkServerMessage("engine.event", null)).toEqual({ ok: false, issues: [expect.stringMatching(/^\(message\): /)] });
  });
});

describe("subscribe / unsubscribe", () => {
  it("take a session name or *", () => {
    for (const session of ["default", "*"]) expect(checkMessage(ZSubscriptionRequestSchema, { session }).ok).toBe(true);
    for (const request of [{ session: "bad name" }, { session: 1 }, {}, "default", undefined]) {
      expect(checkMessage(ZSubscriptionRequestSchema, request).ok).toBe(false);
    }
  });
});
