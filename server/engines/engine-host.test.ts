import { testHostOptions } from "@/test/support/test-host";
import { beforeEach, describe, expect, it } from "vitest";
import { FakeClock, settle } from "@/test/support/fake-clock";
import { FakeEngineFactory } from "@/server/engines/fake/fake-engine";
import { EngineHost, PROFILE_PICTURE_TTL_MS, type HostEvent } from "./engine-host";

const ME = { id: "15550001111@c.us", pushName: "Alice" };

describe("EngineHost", () => {
  let clock: FakeClock;
  let factory: FakeEngineFactory;
  let host: EngineHost;
  let events: HostEvent[];

  beforeEach(() => {
    clock = new FakeClock();
    factory = new FakeEngineFactory();
    host = new EngineHost(testHostOptions({ factory, clock }));
    events = [];
    host.subscribe((event) => events.push(event));
  });

  const statuses = (name = "s") => host.snapshot(name).statuses.map((s) => s.status);

  it("profilePicture: none before login; then asked of the engine once per PROFILE_PICTURE_TTL_MS and per run", async () => {
    await host.start("s", {});
    expect(await host.profilePicture("s")).toBeNull();
    factory.last().emit({ type: "authenticated", me: ME, reason: "authenticated" });
    const picture = await host.profilePicture("s");
    expect(picture?.contentType).toBe("image/png");
    await host.profilePicture("s");
    const asked = () => factory.engines.flatMap((engine) => engine.calls).filter((call) => call === "profilePicture").length;
    expect(asked()).toBe(1);
    await clock.advance(PROFILE_PICTURE_TTL_MS);
    await host.profilePicture("s");
    expect(asked()).toBe(2);
    // A new run asks again.
    await host.restart("s", {});
    factory.last().emit({ type: "authenticated", me: ME, reason: "authenticated" });
    await host.profilePicture("s");
    expect(asked()).toBe(3);
    await host.stop("s");
    expect(await host.profilePicture("s")).toBeNull();
  });

  it("start is idempotent and goes STARTING", async () => {
    await host.start("s", {});
    await host.start("s", {});
    expect(factory.engines).toHaveLength(1);
    expect(host.snapshot("s").status).toBe("STARTING");
    expect(host.runningNames()).toEqual(["s"]);
  });

  it("qr -> SCAN_QR_CODE on every refresh (one history entry counting them), authenticated -> WORKING with me, reasons kept", async () => {
    await host.start("s", {});
    factory.last().emit({ type: "qr", value: "ref-1", reason: "qr" });
    const firstQrAt = clock.now();
    await clock.advance(20_000);
    factory.last().emit({ type: "qr", value: "ref-2", reason: "qr" });
    expect(host.snapshot("s").qr).toBe("ref-2");
    factory.last().emit({ type: "authenticated", me: ME, reason: "authenticated" });
    const snapshot = host.snapshot("s");
    expect(snapshot.status).toBe("WORKING");
    expect(snapshot.me).toEqual({ ...ME, reachoutTimelock: null, messageCapping: null });
    expect(snapshot.qr).toBeNull();
    expect(statuses()).toEqual(["STARTING", "SCAN_QR_CODE", "WORKING"]);
    expect(snapshot.statuses.map((s) => s.reason)).toEqual(["started", "qr", "authenticated"]);
    expect(snapshot.statuses[1]).toEqual({
      status: "SCAN_QR_CODE",
      timestamp: firstQrAt,
      reason: "qr",
      count: 2,
      lastTimestamp: clock.now(),
    });
    expect(snapshot.statuses[2]).not.toHaveProperty("count");
    // Each refresh is still a status change for the subscribers (webhooks, live pages).
    expect(events.filter((e) => e.type === "status" && e.change.status === "SCAN_QR_CODE")).toHaveLength(2);
    expect(events.filter((e) => e.type === "qr").map((e) => (e as { value: string }).value)).toEqual(["ref-1", "ref-2"]);
    expect(events.some((e) => e.type === "me")).toBe(true);
  });

  it("QR refreshes never push a real transition out of the kept history", async () => {
    await host.start("s", {});
    factory.last().emit({ type: "authenticated", me: ME, reason: "authenticated" });
    factory.last().emit({ type: "failed", reason: "the phone logged out (disconnected: LOGOUT)", restart: true, disconnect: "LOGOUT" });
    await clock.advance(host.snapshot("s").health.restart.backoffMs);
    // Seven minutes of codes nobody scans: one every 20 s.
    for (let i = 0; i < 21; i++) {
      factory.last().emit({ type: "qr", value: `ref-${i}`, reason: "qr" });
      await clock.advance(20_000);
    }
    const kept = host.snapshot("s").statuses;
    expect(kept.map((s) => [s.status, s.count])).toEqual([
      ["STARTING", undefined],
      ["WORKING", undefined],
      ["FAILED", undefined],
      ["STARTING", undefined],
      ["SCAN_QR_CODE", 21],
    ]);
    expect(kept[2].reason).toBe("the phone logged out (disconnected: LOGOUT)");
  });

  it("logged in without the account: WORKING waits for `me`, or 3 s at most", async () => {
    await host.start("s", {});
    factory.last().emit({ type: "authenticated", me: null, reason: "authenticated" });
    expect(host.snapshot("s").status).toBe("STARTING");
    factory.last().emit({ type: "me", me: ME });
    expect(host.snapshot("s")).toMatchObject({ status: "WORKING", me: ME });

    await host.start("t", {});
    factory.last("t").emit({ type: "authenticated", me: null, reason: "authenticated" });
    await clock.advance(3000);
    expect(host.snapshot("t").status).toBe("WORKING");
  });

  it("stop is idempotent, stops the engine, and drops its late events", async () => {
    await host.start("s", {});
    const engine = factory.last();
    await host.stop("s");
    await host.stop("s");
    expect(engine.calls).toEqual(["start", "stop"]);
    engine.emit({ type: "qr", value: "late", reason: "qr" });
    expect(host.snapshot("s").status).toBe("STOPPED");
    expect(statuses()).toEqual(["STARTING", "STOPPED"]);
  });

  it("a crash fails the session and restarts it after the delay, with backoff", async () => {
    await host.start("s", {});
    factory.last().emit({ type: "failed", reason: "browser disconnected", restart: true });
    await settle();
    expect(host.snapshot("s").status).toBe("FAILED");
    expect(host.snapshot("s").statuses.at(-1)?.reason).toBe("browser disconnected");
    await clock.advance(1999);
    expect(factory.engines).toHaveLength(1);
    await clock.advance(1);
    expect(factory.engines).toHaveLength(2);
    expect(host.snapshot("s").status).toBe("STARTING");
    expect(host.snapshot("s").statuses.at(-1)?.reason).toMatch(/automatic restart after failure: browser disconnected/);

    factory.last().emit({ type: "failed", reason: "crash again", restart: true });
    await clock.advance(3999);
    expect(factory.engines).toHaveLength(2);
    await clock.advance(1);
    expect(factory.engines).toHaveLength(3);
  });

  it("stop cancels a pending automatic restart", async () => {
    await host.start("s", {});
    factory.last().emit({ type: "failed", reason: "page crashed", restart: true });
    await settle();
    await host.stop("s");
    await clock.advance(60_000);
    expect(factory.engines).toHaveLength(1);
    expect(host.snapshot("s").status).toBe("STOPPED");
  });

  it("a logout from the phone fails without restart", async () => {
    await host.start("s", {});
    factory.last().emit({ type: "failed", reason: "logged out from the phone", restart: false });
    await clock.advance(60_000);
    expect(host.snapshot("s").status).toBe("FAILED");
    expect(factory.engines).toHaveLength(1);
    expect(factory.last().calls).toContain("stop");
  });

  it("a start that throws fails with that reason and does not retry", async () => {
    factory.startError = new Error("Chromium not found: set SWITCHBOARD_CHROME_PATH");
    await host.start("s", {});
    expect(host.snapshot("s").status).toBe("FAILED");
    expect(host.snapshot("s").statuses.at(-1)?.reason).toMatch(/Chromium not found/);
    await clock.advance(60_000);
    expect(factory.engines).toHaveLength(1);
  });

  it("commands on one session wait for each other; other sessions do not wait", async () => {
    factory.onCreate = (engine) => {
      if (engine.options.session === "slow") engine.holdStart();
    };
    const slowStart = host.start("slow", {});
    const slowStop = host.stop("slow");
    await host.start("fast", {});
    expect(host.snapshot("fast").status).toBe("STARTING");
    await settle();
    expect(factory.last("slow").calls).toEqual(["start"]); // stop has not run yet
    factory.last("slow").release();
    await slowStart;
    await slowStop;
    expect(factory.last("slow").calls).toEqual(["start", "stop"]);
    expect(host.snapshot("slow").status).toBe("STOPPED");
  });

  it("a session stuck in STARTING is failed and restarted by the watchdog", async () => {
    await host.start("s", {});
    await clock.advance(60_000);
    expect(host.snapshot("s").statuses.some((s) => s.status === "FAILED" && /stuck in STARTING/.test(s.reason ?? ""))).toBe(true);
    await clock.advance(2000);
    expect(factory.engines).toHaveLength(2);
  });

  it("a QR that stops rotating is refreshed, then the client restarts", async () => {
    await host.start("s", {});
    factory.last().emit({ type: "qr", value: "ref-1", reason: "qr" });
    await clock.advance(30_000);
    expect(factory.last().calls).toContain("refreshQr");
    expect(host.snapshot("s").status).toBe("SCAN_QR_CODE");
    await clock.advance(30_000);
    expect(host.snapshot("s").status).toBe("FAILED");
    expect(host.snapshot("s").statuses.at(-1)?.reason).toMatch(/QR stopped rotating/);
    await clock.advance(2000);
    expect(factory.engines).toHaveLength(2);
  });

  it("a rotating QR keeps the watchdog quiet", async () => {
    await host.start("s", {});
    for (let i = 0; i < 5; i++) {
      factory.last().emit({ type: "qr", value: `ref-${i}`, reason: "qr" });
      await clock.advance(20_000);
    }
    expect(factory.last().calls).not.toContain("refreshQr");
    expect(factory.engines).toHaveLength(1);
  });

  it("logout of a working session unlinks, wipes auth data and starts again", async () => {
    await host.start("s", {});
    factory.last().emit({ type: "authenticated", me: ME, reason: "authenticated" });
    const first = factory.last();
    await host.logout("s", {});
    expect(first.calls).toEqual(["start", "logout", "stop"]);
    expect(factory.removedAuth).toEqual(["s"]);
    expect(factory.engines).toHaveLength(2);
    expect(host.snapshot("s").status).toBe("STARTING");
    expect(host.snapshot("s").me).toBeNull();
  });

  it("logout of a stopped session wipes auth data and stays stopped", async () => {
    await host.logout("s", {});
    expect(factory.removedAuth).toEqual(["s"]);
    expect(factory.engines).toHaveLength(0);
    expect(host.snapshot("s").status).toBe("STOPPED");
  });

  it("remove stops, wipes and forgets", async () => {
    await host.start("s", {});
    await host.remove("s");
    expect(factory.last().calls).toEqual(["start", "stop"]);
    expect(factory.removedAuth).toEqual(["s"]);
    expect(host.snapshot("s").statuses).toEqual([]);
    expect(host.runningNames()).toEqual([]);
  });

  it("waitForStatus resolves on the change, or with the current state after the timeout", async () => {
    await host.start("s", {});
    const waiting = host.waitForStatus("s", ["SCAN_QR_CODE"], 10_000);
    factory.last().emit({ type: "qr", value: "ref", reason: "qr" });
    expect((await waiting).status).toBe("SCAN_QR_CODE");
    const timedOut = host.waitForStatus("s", ["WORKING"], 5000);
    await clock.advance(5000);
    expect((await timedOut).status).toBe("SCAN_QR_CODE");
  });

  it("stopAll stops every session", async () => {
    await host.start("a", {});
    await host.start("b", {});
    await host.stopAll();
    expect(host.runningNames()).toEqual([]);
  });
});
