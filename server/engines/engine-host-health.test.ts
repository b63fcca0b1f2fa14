import { testHostOptions } from "@/test/support/test-host";
import { beforeEach, describe, expect, it } from "vitest";
import { FakeClock, settle } from "@/test/support/fake-clock";
import { FakeEngineFactory, HEALTHY_PROBE, type FakeEngine } from "@/server/engines/fake/fake-engine";
import { EngineHost, type EngineHostOptions, type HostEvent } from "./engine-host";

/** The EngineHost's liveness probe, failure budget and health block, on the fake clock and engine. */

const ME = { id: "15550001111@c.us", pushName: "Alice" };
const INTERVAL = 10_000;
const TIMEOUT = 5000;
const GRACE = 10_000;

describe("EngineHost health", () => {
  let clock: FakeClock;
  let factory: FakeEngineFactory;
  let host: EngineHost;
  let events: HostEvent[];

  function createHost(options: Partial<EngineHostOptions> = {}): void {
    host = new EngineHost(
      testHostOptions({ factory, clock }, { health: { intervalMs: INTERVAL, timeoutMs: TIMEOUT, reconnectGraceMs: GRACE }, ...options }),
    );
    events = [];
    host.subscribe((event) => events.push(event));
  }

  beforeEach(() => {
    clock = new FakeClock();
    factory = new FakeEngineFactory();
    createHost();
  });

  /** Start and log in: the session is WORKING on a fresh engine. */
  async function working(name = "s"): Promise<FakeEngine> {
    await host.start(name, {});
    const engine = factory.last(name);
    engine.emit({ type: "authenticated", me: ME, reason: "authenticated" });
    expect(host.snapshot(name).status).toBe("WORKING");
    return engine;
  }

  const snapshot = (name = "s") => host.snapshot(name);
  const lastReason = (name = "s") => snapshot(name).statuses.at(-1)?.reason;

  it("probes a WORKING session every interval, and nothing before it works", async () => {
    await host.start("s", {});
    await clock.advance(INTERVAL * 2);
    expect(factory.last().probes).toBe(0);

    factory.last().emit({ type: "authenticated", me: ME, reason: "authenticated" });
    const workingAt = clock.now();
    await clock.advance(INTERVAL - 1);
    expect(factory.last().probes).toBe(0);
    await clock.advance(1);
    expect(factory.last().probes).toBe(1);
    await clock.advance(INTERVAL * 3);
    expect(factory.last().probes).toBe(4);

    expect(snapshot().health.probe).toEqual({
      enabled: true,
      intervalMs: INTERVAL,
      lastAt: workingAt + 4 * INTERVAL,
      lastOkAt: workingAt + 4 * INTERVAL,
      latencyMs: 0,
      state: "CONNECTED",
      suspect: null,
    });
  });

  it("stops probing when the session stops", async () => {
    const engine = await working();
    await host.stop("s");
    await clock.advance(INTERVAL * 3);
    expect(engine.probes).toBe(0);
  });

  it("a probing interval of 0 turns the probe off", async () => {
    createHost({ health: { intervalMs: 0, timeoutMs: TIMEOUT, reconnectGraceMs: GRACE } });
    const engine = await working();
    await clock.advance(INTERVAL * 10);
    expect(engine.probes).toBe(0);
    expect(snapshot().health.probe.enabled).toBe(false);
  });

  it("a hung page: one unanswered probe is watched, the second fails and restarts the session", async () => {
    const engine = await working();
    engine.probeAnswer = "hang";
    await clock.advance(INTERVAL + TIMEOUT);
    expect(snapshot().status).toBe("WORKING");
    expect(snapshot().health.probe.suspect).toBe("the page did not answer 1 probe");
    expect(engine.probes).toBe(2); // asked again at once
    await clock.advance(TIMEOUT);
    expect(snapshot().status).toBe("FAILED");
    expect(lastReason()).toBe("the WhatsApp Web page is not responding (no answer to 2 probes in a row, 10 s)");
    expect(engine.calls).toContain("stop");
    expect(snapshot().health).toMatchObject({ failures: 1, restart: { backoffMs: 2000, at: clock.now() + 2000 } });
    await clock.advance(2000);
    expect(factory.engines).toHaveLength(2);
    expect(lastReason()).toMatch(/^automatic restart after failure: the WhatsApp Web page is not responding/);
  });

  it("a page that is slow once is not flagged", async () => {
    const engine = await working();
    engine.probeAnswer = "hang";
    await clock.advance(INTERVAL + 1);
    engine.probeAnswer = HEALTHY_PROBE;
    await clock.advance(TIMEOUT);
    await clock.advance(INTERVAL * 3);
    expect(snapshot().status).toBe("WORKING");
    expect(snapshot().health.probe.suspect).toBeNull();
    expect(factory.engines).toHaveLength(1);
  });

  it("a connection that reconnects within the grace keeps the session WORKING", async () => {
    const engine = await working();
    engine.emit({ type: "connection", state: "TIMEOUT", connection: "connecting" });
    expect(snapshot().health.probe).toMatchObject({ state: "TIMEOUT", suspect: "reconnecting (state TIMEOUT)" });
    await clock.advance(GRACE / 2);
    engine.emit({ type: "connection", state: "CONNECTED", connection: "connected" });
    expect(snapshot().health.probe.suspect).toBeNull();
    await clock.advance(GRACE * 3);
    expect(snapshot().status).toBe("WORKING");
    expect(factory.engines).toHaveLength(1);
  });

  it("a connection still reconnecting after the grace fails naming the state, and is restarted", async () => {
    const engine = await working();
    await clock.advance(1000);
    engine.probeAnswer = { ...HEALTHY_PROBE, state: "OPENING", connection: "connecting" };
    engine.emit({ type: "connection", state: "TIMEOUT", connection: "connecting" });
    engine.emit({ type: "connection", state: "OPENING", connection: "connecting" });
    await clock.advance(GRACE - 1);
    expect(snapshot().status).toBe("WORKING");
    await clock.advance(1);
    expect(snapshot().status).toBe("FAILED");
    expect(lastReason()).toBe("WhatsApp Web lost its connection and did not reconnect (state OPENING for 10 s)");
    expect(snapshot().health.lastDisconnect).toEqual({ reason: "OPENING", timestamp: clock.now() });
    const failed = events.filter((e) => e.type === "status").at(-1);
    expect(failed).toMatchObject({ change: { status: "FAILED" }, disconnect: "OPENING" });
    await clock.advance(2000);
    expect(factory.engines).toHaveLength(2);
  });

  it("a probe that finds the connection gone without an event watches it the same way", async () => {
    const engine = await working();
    engine.probeAnswer = { ...HEALTHY_PROBE, state: "TIMEOUT", connection: "connecting" };
    await clock.advance(INTERVAL);
    expect(snapshot().health.probe.suspect).toBe("reconnecting (state TIMEOUT)");
    await clock.advance(GRACE);
    expect(lastReason()).toMatch(/did not reconnect \(state TIMEOUT for 10 s\)/);
  });

  it("a device removed on the phone, seen by a probe: FAILED, no restart, auth data removed", async () => {
    const engine = await working();
    engine.probeAnswer = { ...HEALTHY_PROBE, state: "UNPAIRED", connection: "logged-out" };
    await clock.advance(INTERVAL);
    expect(snapshot().status).toBe("FAILED");
    expect(lastReason()).toBe("the phone removed this linked device (state UNPAIRED)");
    expect(factory.removedAuth).toEqual(["s"]);
    expect(snapshot().health.restart.at).toBeNull();
    await clock.advance(60_000);
    expect(factory.engines).toHaveLength(1);
  });

  it("a conflict seen by a probe restarts; a dead browser too", async () => {
    const engine = await working();
    engine.probeAnswer = { ...HEALTHY_PROBE, state: "CONFLICT", connection: "conflict" };
    await clock.advance(INTERVAL);
    expect(lastReason()).toMatch(/opened elsewhere.*CONFLICT/);
    expect(snapshot().health.probe.state).toBe("CONFLICT");
    await clock.advance(2000);
    expect(snapshot().health.probe.state).toBeNull();
    factory.last().emit({ type: "authenticated", me: ME, reason: "authenticated" });
    factory.last().probeAnswer = { browser: false, page: true, state: null, connection: null, account: null };
    await clock.advance(INTERVAL);
    expect(lastReason()).toMatch(/Chromium is not running/);
    await clock.advance(4000);
    expect(factory.engines).toHaveLength(3);
  });

  it("a probe that rejects twice fails with the page's error", async () => {
    const engine = await working();
    engine.probeAnswer = new Error("Protocol error: Target closed");
    await clock.advance(INTERVAL);
    expect(snapshot().status).toBe("WORKING");
    await clock.advance(1000);
    expect(lastReason()).toBe("the WhatsApp Web page is not responding (Protocol error: Target closed)");
  });

  it("an engine failure records the disconnect reason; a restart by hand starts the count over", async () => {
    const engine = await working();
    engine.emit({ type: "failed", reason: "WhatsApp Web was opened elsewhere", restart: true, disconnect: "CONFLICT" });
    await settle();
    expect(snapshot().health).toMatchObject({
      failures: 1,
      lastFailure: { reason: "WhatsApp Web was opened elsewhere" },
      lastDisconnect: { reason: "CONFLICT" },
    });
    expect(events.filter((e) => e.type === "status").at(-1)).toMatchObject({ disconnect: "CONFLICT" });
    await host.restart("s", {});
    expect(snapshot().health.failures).toBe(0);
    expect(snapshot().health.lastDisconnect?.reason).toBe("CONFLICT");
  });

  it("the backoff doubles up to its ceiling and is visible while a restart is pending", async () => {
    await host.start("s", {});
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      factory.last().emit({ type: "failed", reason: `crash ${i}`, restart: true });
      await settle();
      const { restart } = snapshot().health;
      expect(restart.at).toBe(clock.now() + restart.backoffMs);
      expect(restart.maxBackoffMs).toBe(10_000);
      seen.push(restart.backoffMs);
      await clock.advance(restart.backoffMs);
    }
    expect(seen).toEqual([2000, 4000, 8000, 10_000, 10_000]);
  });

  it("after maxFailures in a row the session stays FAILED with the last reason and the count", async () => {
    createHost({ maxFailures: 3 });
    await host.start("s", {});
    for (let i = 1; i <= 3; i++) {
      factory.last().emit({ type: "authenticated", me: ME, reason: "authenticated" });
      factory.last().emit({ type: "failed", reason: `page crashed #${i}`, restart: true });
      await settle();
      if (i < 3) await clock.advance(snapshot().health.restart.backoffMs);
    }
    expect(snapshot().status).toBe("FAILED");
    expect(lastReason()).toBe("page crashed #3; failed 3 times in a row, automatic restarts stopped until the session is started again");
    expect(snapshot().health).toMatchObject({ failures: 3, maxFailures: 3, gaveUp: true, restart: { at: null } });
    await clock.advance(600_000);
    expect(factory.engines).toHaveLength(3);

    await host.start("s", {});
    expect(factory.engines).toHaveLength(4);
    expect(snapshot().health).toMatchObject({ failures: 0, gaveUp: false });
  });

  it("a session that works for the stable period starts its failure count over", async () => {
    await working();
    factory.last().emit({ type: "failed", reason: "crash", restart: true });
    await settle();
    await clock.advance(2000);
    factory.last().emit({ type: "authenticated", me: ME, reason: "authenticated" });
    await clock.advance(59_999);
    expect(snapshot().health.failures).toBe(1);
    await clock.advance(1);
    expect(snapshot().health.failures).toBe(0);
    expect(snapshot().health.restart.backoffMs).toBe(2000);
  });

  it("failures before the stable period add up, QR or not", async () => {
    await host.start("s", {});
    factory.last().emit({ type: "qr", value: "ref-1", reason: "qr" });
    factory.last().emit({ type: "failed", reason: "crash", restart: true });
    await settle();
    await clock.advance(2000);
    factory.last().emit({ type: "qr", value: "ref-2", reason: "qr" });
    factory.last().emit({ type: "failed", reason: "crash again", restart: true });
    await settle();
    expect(snapshot().health).toMatchObject({ failures: 2, restart: { backoffMs: 4000 } });
  });

  it("a session this process never ran has an empty health block", () => {
    expect(snapshot("unknown").health).toEqual({
      probe: { enabled: true, intervalMs: INTERVAL, lastAt: null, lastOkAt: null, latencyMs: null, state: null, suspect: null },
      failures: 0,
      maxFailures: 10,
      gaveUp: false,
      restart: { backoffMs: 2000, maxBackoffMs: 10_000, at: null },
      lastFailure: null,
      lastDisconnect: null,
      pulse: { enabled: false, intervalMs: 0, onlineMs: 0, lastAt: null },
    });
  });
});
