import { describe, expect, it } from "vitest";
import { FakeClock } from "@/test/support/fake-clock";
import { testHostOptions } from "@/test/support/test-host";
import { EngineHost, type HostEvent } from "../engine-host";
import { createFakeEngineFactory, fakeAccount, FAKE_EVENT_EVERY_KEY, firstMessageDelay, type FakeMessage } from "./fake-engine-factory";

function setup(workerId: string | null = "w1") {
  const clock = new FakeClock();
  const factory = createFakeEngineFactory({ workerId, clock });
  const host = new EngineHost(testHostOptions({ factory, clock }));
  const messages: FakeMessage[] = [];
  host.subscribe((event: HostEvent) => {
    if (event.type === "engine.event" && event.event === "message") messages.push(event.data as FakeMessage);
  });
  return { clock, factory, host, messages };
}

const paced = (ms: string) => ({ metadata: { [FAKE_EVENT_EVERY_KEY]: ms } });

describe("the TEST ONLY fake engine factory", () => {
  it("starts a session straight into WORKING, logged in as an account made from its name", async () => {
    const { clock, host } = setup();
    await host.start("alpha", {});
    await clock.advance(0);
    const snapshot = host.snapshot("alpha");
    expect(snapshot.statuses.map((s) => s.status)).toEqual(["STARTING", "WORKING"]);
    expect(snapshot.me).toMatchObject(fakeAccount("alpha"));
    expect(snapshot.me?.pushName).toBe("alpha");
    expect(fakeAccount("alpha").id).toMatch(/^1\d{11}@c\.us$/);
    expect(fakeAccount("alpha")).toEqual(fakeAccount("alpha"));
    expect(fakeAccount("beta").id).not.toBe(fakeAccount("alpha").id);

    const engine = host.engine("alpha")!;
    expect((await engine.screenshot()).subarray(1, 4).toString()).toBe("PNG");
    expect(await engine.info()).toMatchObject({ state: "CONNECTED" });
    expect((await engine.readAccount({ fetch: false })).account).toEqual(fakeAccount("alpha"));
    await host.stop("alpha");
    expect(host.snapshot("alpha").status).toBe("STOPPED");
  });

  it("emits numbered message events at the metadata's pace, counting on across restarts, none after a stop", async () => {
    const { clock, host, messages } = setup("w7");
    await host.start("alpha", paced("100"));
    await host.start("beta", paced("250"));
    const first = firstMessageDelay("alpha", 100);
    await clock.advance(first - 1);
    expect(messages.filter((m) => m.session === "alpha")).toEqual([]);
    await clock.advance(1 + 400);
    expect(messages.filter((m) => m.session === "alpha").map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(messages.find((m) => m.session === "alpha")).toMatchObject({ worker: "w7", at: first });
    const betaCount = Math.max(0, Math.floor((first + 400 - firstMessageDelay("beta", 250)) / 250) + 1);
    expect(messages.filter((m) => m.session === "beta").map((m) => m.seq)).toEqual([1, 2, 3].slice(0, betaCount));
    expect(new Set(messages.map((m) => m.process)).size).toBe(1);

    await host.stop("beta");
    await host.restart("alpha", paced("100"));
    messages.length = 0;
    await clock.advance(first + 100);
    expect(messages.map((m) => `${m.session}:${m.seq}`)).toEqual(["alpha:6", "alpha:7"]);
    await host.stopAll();
    await clock.advance(1000);
    expect(messages).toHaveLength(2);
  });

  it("spreads the first message of sessions started together over the pace, the same for a name on every start", () => {
    const names = Array.from({ length: 300 }, (_, i) => `bench-${i}`);
    const delays = names.map((name) => firstMessageDelay(name, 2000));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...delays)).toBeLessThan(4000);
    // Every tenth of the period gets some of them, none more than twice its share.
    const perTenth = Array.from({ length: 10 }, (_, tenth) => delays.filter((ms) => Math.floor((ms - 2000) / 200) === tenth).length);
    expect(Math.min(...perTenth)).toBeGreaterThan(0);
    expect(Math.max(...perTenth)).toBeLessThanOrEqual(60);
    expect(firstMessageDelay("bench-7", 2000)).toBe(delays[7]);
  });

  it("sends no message events without the metadata key, and fails the start on a bad pace, saying why", async () => {
    const { clock, host, messages } = setup();
    await host.start("quiet", {});
    await clock.advance(10_000);
    expect(messages).toEqual([]);

    await host.start("bad", paced("soon"));
    await clock.advance(0);
    expect(host.snapshot("bad").status).toBe("FAILED");
    expect(host.snapshot("bad").statuses.at(-1)?.reason).toContain(`metadata ${FAKE_EVENT_EVERY_KEY} must be a whole number`);
    await host.stopAll();
  });
});
