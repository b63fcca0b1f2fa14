import { describe, expect, it } from "vitest";
import { checkMessage, checkServerMessage, ZSubscriptionRequestSchema } from "./realtime-messages";
import { sampleDelivery } from "./sample-delivery";

const delivery = sampleDelivery();

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
        me: { id: "1@c.us", pushName: null },
        timestamp: 1,
      }).ok,
    ).toBe(true);
    expect(checkServerMessage("session.qr", { session: "a", value: null, timestamp: 1 }).ok).toBe(true);
    expect(checkServerMessage("engine.event", { session: "a", event: "ready", data: { any: "thing" }, timestamp: 1 }).ok).toBe(true);
    expect(checkServerMessage("event", envelope).ok).toBe(true);
  });

  it("reject a wrong shape with each issue's path", () => {
    expect(checkServerMessage("session.status", { session: "a", status: "BUSY", statuses: [], me: null, timestamp: 1 })).toEqual({
      ok: false,
      issues: [expect.stringMatching(/^status: /)],
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
