import { testHostOptions } from "@/test/support/test-host";
import { beforeEach, describe, expect, it } from "vitest";
import { NO_CAPPING, NO_TIMELOCK, type TMessageCapping, type TReachoutTimelock } from "@/lib/account-restrictions";
import { FakeClock } from "@/test/support/fake-clock";
import { FakeEngineFactory, HEALTHY_PROBE, PLAIN_ACCOUNT, type FakeEngine } from "@/server/engines/fake/fake-engine";
import type { AccountState } from "./engine";
import { EngineHost, type EngineHostOptions, type HostEvent } from "./engine-host";

/**
 * What the EngineHost makes of WhatsApp Web's account readings (lib/account-restrictions.ts): the
 * account with its LID and device JID, presence, the restrictions and WORKING re-issued with `data`
 * (WAHA's rules), the timelock's end, and the presence pulse. On the fake clock and engine.
 */

const INTERVAL = 10_000;
const ACCOUNT = PLAIN_ACCOUNT.account!;

describe("EngineHost account state", () => {
  let clock: FakeClock;
  let factory: FakeEngineFactory;
  let host: EngineHost;
  let events: HostEvent[];

  function createHost(options: Partial<EngineHostOptions> = {}): void {
    host = new EngineHost(
      testHostOptions({ factory, clock }, { health: { intervalMs: INTERVAL, timeoutMs: 5000, reconnectGraceMs: 10_000 }, ...options }),
    );
    events = [];
    host.subscribe((event) => events.push(event));
  }

  beforeEach(async () => {
    clock = new FakeClock();
    // Real-looking time: a timelock's end is a Unix timestamp.
    await clock.advance(1_796_000_000_000);
    factory = new FakeEngineFactory();
    createHost();
  });

  async function working(): Promise<FakeEngine> {
    await host.start("s", {});
    const engine = factory.last("s");
    engine.emit({ type: "authenticated", me: { id: ACCOUNT.id, pushName: ACCOUNT.pushName }, reason: "authenticated" });
    expect(host.snapshot("s").status).toBe("WORKING");
    return engine;
  }

  /** The next probe reads this from the page. */
  async function probeReads(engine: FakeEngine, account: Partial<AccountState>): Promise<void> {
    engine.probeAnswer = { ...HEALTHY_PROBE, account: { ...PLAIN_ACCOUNT, ...account } };
    await clock.advance(INTERVAL);
  }

  const statusEvents = () => events.filter((e): e is Extract<HostEvent, { type: "status" }> => e.type === "status");
  const endsIn = (ms: number) => Math.floor((clock.now() + ms) / 1000);
  const timelock = (ms: number): TReachoutTimelock => ({
    enforcementType: "RESTRICT_ALL_COMPANIONS",
    isActive: true,
    timeEnforcementEnds: endsIn(ms),
  });
  const CAPPED: TMessageCapping = { ...NO_CAPPING, cappingStatus: "CAPPED", totalQuota: 50, usedQuota: 50 };

  it("the account read at ready adds its LID and device JID, is stored (me event), and WORKING says nothing more", async () => {
    const engine = await working();
    engine.emit({ type: "account", state: PLAIN_ACCOUNT });
    const snapshot = host.snapshot("s");
    expect(snapshot.me).toEqual({ ...ACCOUNT, reachoutTimelock: null, messageCapping: null });
    expect(snapshot).toMatchObject({ presence: "offline", webVersion: "2.3000.1017054665", data: null });
    expect(events.filter((e) => e.type === "me").at(-1)).toEqual({ type: "me", session: "s", me: ACCOUNT });
    expect(statusEvents().map((e) => e.data)).toEqual([null, null]);
  });

  it("a timelock read by a probe re-issues WORKING with data; a repeat does not; its lifting does", async () => {
    const engine = await working();
    const active = timelock(3_600_000);
    await probeReads(engine, { reachoutTimelock: active });
    let last = statusEvents().at(-1)!;
    expect(last.change.status).toBe("WORKING");
    expect(last.data).toEqual({ reachoutTimelock: active });
    expect(last.change.reason).toMatch(/^reachout timelock: messages to new contacts are refused until .* \(RESTRICT_ALL_COMPANIONS\)$/);
    expect(host.snapshot("s").me?.reachoutTimelock).toEqual(active);
    const count = statusEvents().length;

    await probeReads(engine, { reachoutTimelock: { ...active } });
    expect(statusEvents()).toHaveLength(count);

    await probeReads(engine, { reachoutTimelock: NO_TIMELOCK });
    last = statusEvents().at(-1)!;
    expect(statusEvents()).toHaveLength(count + 1);
    expect(last.data).toEqual({ reachoutTimelock: NO_TIMELOCK });
    expect(last.change.reason).toBe("reachout timelock lifted: messages to new contacts are allowed again");
  });

  it("a timelock ends at its end without any reading: WORKING again with isActive false", async () => {
    createHost({ health: { intervalMs: 0, timeoutMs: 5000, reconnectGraceMs: 10_000 } });
    const probeless = await working();
    const active = timelock(60_000);
    probeless.emit({ type: "account", state: { ...PLAIN_ACCOUNT, reachoutTimelock: active } });
    expect(statusEvents().at(-1)!.data).toEqual({ reachoutTimelock: active });
    await clock.advance(59_000);
    expect(statusEvents().at(-1)!.data).toEqual({ reachoutTimelock: active });
    await clock.advance(1000);
    expect(statusEvents().at(-1)!.data).toEqual({ reachoutTimelock: { ...active, isActive: false } });
    expect(statusEvents().at(-1)!.change.reason).toMatch(/^reachout timelock ended at /);
  });

  it("a capping is news once it warns or caps; a plain WORKING after an automatic restart carries what is in force", async () => {
    const engine = await working();
    await probeReads(engine, { messageCapping: NO_CAPPING });
    expect(statusEvents().map((e) => e.data)).toEqual([null, null]);

    const active = timelock(3_600_000);
    await probeReads(engine, { messageCapping: CAPPED, reachoutTimelock: active });
    expect(
      statusEvents()
        .slice(-2)
        .map((e) => e.data),
    ).toEqual([{ reachoutTimelock: active }, { messageCapping: CAPPED }]);

    // A crash and an automatic restart: the new login's WORKING carries both.
    engine.emit({ type: "failed", reason: "Chromium exited or crashed (browser disconnected)", restart: true });
    await clock.advance(2000);
    factory.last("s").emit({ type: "authenticated", me: ACCOUNT, reason: "authenticated" });
    expect(statusEvents().at(-1)).toMatchObject({
      change: { status: "WORKING" },
      data: { reachoutTimelock: active, messageCapping: CAPPED },
    });
    expect(statusEvents().find((e) => e.change.status === "FAILED")?.data).toBeNull();
  });

  it("a stop forgets the restrictions: the next start reads them again", async () => {
    const engine = await working();
    await probeReads(engine, { reachoutTimelock: timelock(3_600_000) });
    await host.stop("s");
    expect(host.snapshot("s")).toMatchObject({ data: null, presence: null });
    await working();
    expect(statusEvents().at(-1)!.data).toBeNull();
    expect(host.snapshot("s").me).toMatchObject({ reachoutTimelock: null, messageCapping: null });
  });

  it("refreshAccount() asks the page to fetch, applies the reading and answers it; a page that fails rejects", async () => {
    const engine = await working();
    const active = timelock(3_600_000);
    engine.accountAnswer = { ...PLAIN_ACCOUNT, reachoutTimelock: active };
    expect((await host.refreshAccount("s", "reachoutTimelock")).reachoutTimelock).toEqual(active);
    expect(engine.reads).toEqual(["reachoutTimelock"]);
    expect(statusEvents().at(-1)!.data).toEqual({ reachoutTimelock: active });

    engine.accountAnswer = new Error("Execution context was destroyed");
    await expect(host.refreshAccount("s", "messageCapping")).rejects.toThrow("Execution context was destroyed");
    await expect(host.refreshAccount("nobody", "messageCapping")).rejects.toThrow("not running");
  });

  it("the presence pulse marks the account online every interval, offline again after the online time", async () => {
    createHost({
      health: { intervalMs: 0, timeoutMs: 5000, reconnectGraceMs: 10_000 },
      presencePulse: { intervalMs: 60_000, onlineMs: 25_000 },
    });
    const engine = await working();
    const start = clock.now();
    await clock.advance(59_999);
    expect(engine.presences).toEqual([]);
    await clock.advance(1);
    expect(engine.presences).toEqual(["online"]);
    expect(host.snapshot("s")).toMatchObject({ presence: "online", health: { pulse: { enabled: true, lastAt: start + 60_000 } } });
    expect(events.at(-1)?.type).toBe("health");
    await clock.advance(25_000);
    expect(engine.presences).toEqual(["online", "offline"]);
    expect(host.snapshot("s").presence).toBe("offline");
    await clock.advance(35_000);
    expect(engine.presences).toEqual(["online", "offline", "online"]);

    await host.stop("s");
    await clock.advance(10 * 60_000);
    expect(engine.presences).toHaveLength(3);
  });

  it("without a pulse setting the presence is never touched", async () => {
    const engine = await working();
    await clock.advance(24 * 3600_000);
    expect(engine.presences).toEqual([]);
    expect(host.snapshot("s").health.pulse).toEqual({ enabled: false, intervalMs: 0, onlineMs: 0, lastAt: null });
  });
});
