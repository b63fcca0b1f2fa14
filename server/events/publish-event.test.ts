import { describe, expect, it } from "vitest";
import type { TSessionConfig } from "@/lib/session-config";
import type { TOutboxEntry } from "@/server/webhooks/outbox";
import type { Clock } from "@/server/engines/clock";
import { createEventPublisher, type TOutboxSink } from "./publish-event";
import { NO_IGNORE } from "./ignore";
import type { TEventEnvelope } from "@/lib/event-envelope";

const environment = {
  version: "0.1.0",
  engine: "WEBJS",
  tier: "PLUS",
  browser: null,
  platform: "linux/x64",
  worker: { id: null },
} as const;
const clock: Clock = { now: () => 1_732_442_400_000, setTimeout: () => ({ id: 0 }), clearTimeout: () => {} };

function setup(options: { globalUrl?: string; globalEvents?: string[]; failWrite?: boolean; ignoreDefaults?: typeof NO_IGNORE } = {}) {
  const written: TOutboxEntry[][] = [];
  const sink: TOutboxSink = {
    async enqueue(entries) {
      if (options.failWrite) throw new Error("disk full");
      written.push(entries);
      return [];
    },
  };
  const publisher = createEventPublisher({
    dispatcher: sink,
    environment: { ...environment, worker: { id: null } },
    globalWebhook: options.globalUrl ? { url: options.globalUrl, events: (options.globalEvents ?? ["*"]) as never } : null,
    ignoreDefaults: options.ignoreDefaults ?? NO_IGNORE,
    clock,
  });
  const seen: TEventEnvelope[] = [];
  publisher.subscribe((envelope) => seen.push(envelope));
  return { publisher, written, seen };
}

const config: TSessionConfig = {
  metadata: { tenant: "acme" },
  webhooks: [
    { url: "http://a.test/hook", events: ["message"] },
    { url: "http://b.test/hook", events: [] },
    { url: "http://c.test/hook", events: ["*"], hmac: { key: "k" } },
  ],
};

describe("publish()", () => {
  it("stores one outbox entry with every matching webhook, session ones first then the global one", async () => {
    const { publisher, written, seen } = setup({ globalUrl: "http://global.test/" });
    const envelope = await publisher.publish({
      session: "s1",
      event: "message",
      payload: { from: "1@c.us", body: "hi" },
      me: null,
      config,
    });
    expect(envelope).not.toBeNull();
    expect(written).toHaveLength(1);
    const [entry] = written[0]!;
    expect(entry!.targets.map((t) => [t.source, t.index, t.config.url])).toEqual([
      ["session", 0, "http://a.test/hook"],
      ["session", 2, "http://c.test/hook"],
      ["global", null, "http://global.test/"],
    ]);
    expect(entry!.body).toBe(JSON.stringify(envelope));
    expect(JSON.parse(entry!.body)).toMatchObject({
      event: "message",
      session: "s1",
      metadata: { tenant: "acme" },
      timestamp: 1_732_442_400_000,
    });
    expect(seen).toEqual([envelope]);
  });

  it("respects subscriptions: * does not include engine.event", async () => {
    const { publisher, written, seen } = setup();
    await publisher.publish({ session: "s1", event: "engine.event", payload: { event: "x", data: null }, me: null, config });
    expect(written).toHaveLength(0);
    expect(seen).toHaveLength(1);
  });

  it("tells local listeners even when no webhook matches, without touching the outbox", async () => {
    const { publisher, written, seen } = setup();
    const envelope = await publisher.publish({ session: "s1", event: "presence.update", payload: { id: "1@c.us" }, me: null, config: {} });
    expect(envelope?.event).toBe("presence.update");
    expect(written).toHaveLength(0);
    expect(seen).toHaveLength(1);
  });

  it("drops events of ignored chats before anything is stored or told", async () => {
    const { publisher, written, seen } = setup({ globalUrl: "http://global.test/" });
    const ignoring = { ...config, ignore: { groups: true } };
    expect(
      await publisher.publish({ session: "s1", event: "message", payload: { from: "9@g.us", fromMe: false }, me: null, config: ignoring }),
    ).toBeNull();
    expect(
      await publisher.publish({ session: "s1", event: "message", payload: {}, me: null, config: ignoring, chatId: "9@g.us" }),
    ).toBeNull();
    expect(written).toHaveLength(0);
    expect(seen).toHaveLength(0);
    // explicit chatId: null means "no chat": never ignored
    expect(
      await publisher.publish({ session: "s1", event: "message", payload: { from: "9@g.us" }, me: null, config: ignoring, chatId: null }),
    ).not.toBeNull();
  });

  it("uses the env defaults unless the session overrides them", async () => {
    const { publisher, written } = setup({ globalUrl: "http://global.test/", ignoreDefaults: { ...NO_IGNORE, status: true } });
    expect(
      await publisher.publish({ session: "s", event: "message", payload: { from: "status@broadcast" }, me: null, config: {} }),
    ).toBeNull();
    const kept = await publisher.publish({
      session: "s",
      event: "message",
      payload: { from: "status@broadcast" },
      me: null,
      config: { ignore: { status: false } },
    });
    expect(kept).not.toBeNull();
    expect(written).toHaveLength(1);
  });

  it("never filters engine.event", async () => {
    const { publisher, written } = setup({ globalUrl: "http://global.test/", globalEvents: ["engine.event"] });
    const envelope = await publisher.publish({
      session: "s",
      event: "engine.event",
      payload: {},
      me: null,
      config: { ignore: { groups: true } },
      chatId: "1@g.us",
    });
    expect(envelope).not.toBeNull();
    expect(written).toHaveLength(1);
  });

  it("rejects when the outbox write fails, so the caller can log it", async () => {
    const { publisher } = setup({ globalUrl: "http://global.test/", failWrite: true });
    await expect(publisher.publish({ session: "s", event: "message", payload: {}, me: null, config: {} })).rejects.toThrow("disk full");
  });

  it("stores the bytes as they were before a listener mutated the envelope", async () => {
    const { publisher, written } = setup({ globalUrl: "http://global.test/" });
    publisher.subscribe((envelope) => {
      (envelope.payload as { body: string }).body = "changed";
    });
    await publisher.publish({ session: "s", event: "message", payload: { body: "original" }, me: null, config: {} });
    expect(written[0]![0]!.body).toContain('"body":"original"');
  });

  it("a throwing listener does not stop publishing", async () => {
    const { publisher, written } = setup({ globalUrl: "http://global.test/" });
    publisher.subscribe(() => {
      throw new Error("socket gone");
    });
    await expect(publisher.publish({ session: "s", event: "message", payload: {}, me: null, config: {} })).resolves.not.toBeNull();
    expect(written).toHaveLength(1);
  });
});

describe("webhooksFor()", () => {
  it("skips webhooks without url or events and appends the global one", () => {
    const { publisher } = setup({ globalUrl: "http://global.test/" });
    expect(publisher.webhooksFor(config).map((t) => t.index)).toEqual([0, 2, null]);
    expect(publisher.webhooksFor(undefined).map((t) => t.source)).toEqual(["global"]);
  });
});
