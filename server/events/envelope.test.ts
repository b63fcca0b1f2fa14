import { describe, expect, it } from "vitest";
import type { TEnvironment } from "@/lib/event-envelope";
import { buildEnvelope, buildEnvironment, generateEventId } from "./envelope";

const environment: TEnvironment = {
  version: "0.1.0",
  engine: "WEBJS",
  tier: "PLUS",
  browser: "/usr/bin/chromium",
  platform: "linux/x64",
  worker: { id: null },
};

describe("buildEnvelope", () => {
  it("has WAHA's keys in WAHA's order, including environment", () => {
    const envelope = buildEnvelope({
      id: "evt_1",
      timestamp: 1_732_442_400_000,
      event: "message",
      session: "default",
      metadata: { tenant: "acme" },
      me: { id: "111@c.us", pushName: "Ann" },
      payload: { body: "hi" },
      environment,
    });
    expect(Object.keys(envelope)).toEqual(["id", "timestamp", "event", "session", "metadata", "me", "payload", "engine", "environment"]);
    expect(Object.keys(envelope.environment)).toEqual(["version", "engine", "tier", "browser", "platform", "worker"]);
    expect(JSON.stringify(envelope)).toBe(
      '{"id":"evt_1","timestamp":1732442400000,"event":"message","session":"default","metadata":{"tenant":"acme"},' +
        '"me":{"id":"111@c.us","pushName":"Ann"},"payload":{"body":"hi"},"engine":"WEBJS",' +
        '"environment":{"version":"0.1.0","engine":"WEBJS","tier":"PLUS","browser":"/usr/bin/chromium","platform":"linux/x64","worker":{"id":null}}}',
    );
  });

  it("omits metadata when the session has none, and sends me: null when not logged in", () => {
    for (const metadata of [undefined, null]) {
      const envelope = buildEnvelope({
        id: "evt_1",
        timestamp: 1,
        event: "session.status",
        session: "s",
        metadata,
        me: null,
        payload: {},
        environment,
      });
      expect(Object.keys(envelope)).toEqual(["id", "timestamp", "event", "session", "me", "payload", "engine", "environment"]);
      expect(JSON.stringify(envelope)).toContain('"me":null');
    }
  });

  it("copies the environment, so later changes to it do not alter envelopes", () => {
    const env = structuredClone(environment);
    const envelope = buildEnvelope({ id: "e", timestamp: 1, event: "message", session: "s", me: null, payload: null, environment: env });
    env.worker.id = "changed";
    expect(envelope.environment.worker.id).toBeNull();
  });
});

describe("generateEventId", () => {
  it("is evt_ + a lower-case ULID that sorts in emit order", () => {
    const ids = Array.from({ length: 50 }, () => generateEventId(1_732_442_400_000));
    for (const id of ids) expect(id).toMatch(/^evt_[0-9a-hjkmnp-tv-z]{26}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("buildEnvironment", () => {
  it("reports worker.id null when WAHA_WORKER_ID is empty, and the process platform", () => {
    const env = buildEnvironment({ version: "1.2.3", browser: null, workerId: "" });
    expect(env).toEqual({
      version: "1.2.3",
      engine: "WEBJS",
      tier: "PLUS",
      browser: null,
      platform: `${process.platform}/${process.arch}`,
      worker: { id: null },
    });
    expect(buildEnvironment({ version: "1", browser: "/c", workerId: "w1", tier: "CORE" }).worker).toEqual({ id: "w1" });
  });
});
