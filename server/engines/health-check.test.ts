import { describe, expect, it } from "vitest";
import type { EngineProbe } from "./engine";
import { describeSuspicion, judgeProbe, type HealthSettings, type ProbeOutcome, type Suspicion } from "./health-check";

const SETTINGS: HealthSettings = { intervalMs: 10_000, timeoutMs: 5000, reconnectGraceMs: 10_000 };
const answered = (probe: Partial<EngineProbe>): ProbeOutcome => ({
  kind: "answered",
  probe: { browser: true, page: true, state: "CONNECTED", connection: "connected", account: null, ...probe },
});
const at = (now: number, startedAt = now) => ({ startedAt, now });

describe("judgeProbe", () => {
  it("a connected page is healthy, whatever was watched before", () => {
    expect(judgeProbe(answered({}), null, at(0), SETTINGS)).toEqual({ action: "healthy" });
    const watched: Suspicion = { kind: "connecting", since: 0, state: "OPENING" };
    expect(judgeProbe(answered({}), watched, at(5000), SETTINGS)).toEqual({ action: "healthy" });
  });

  it("a dead browser or a closed page fails at once, with a restart", () => {
    expect(judgeProbe(answered({ browser: false, state: null, connection: null }), null, at(0), SETTINGS)).toMatchObject({
      action: "fail",
      reason: expect.stringMatching(/Chromium is not running/),
      restart: true,
      loggedOut: false,
    });
    expect(judgeProbe(answered({ page: false, state: null, connection: null }), null, at(0), SETTINGS)).toMatchObject({
      action: "fail",
      reason: expect.stringMatching(/page is closed or its renderer crashed/),
      restart: true,
    });
  });

  it("a reconnecting connection is watched for the grace period, then fails naming the state", () => {
    const first = judgeProbe(answered({ state: "TIMEOUT", connection: "connecting" }), null, at(1000), SETTINGS);
    expect(first).toEqual({
      action: "watch",
      suspicion: { kind: "connecting", since: 1000, state: "TIMEOUT" },
      recheckInMs: 10_000,
    });
    const suspicion = (first as { suspicion: Suspicion }).suspicion;
    const half = judgeProbe(answered({ state: "OPENING", connection: "connecting" }), suspicion, at(6000), SETTINGS);
    expect(half).toMatchObject({ action: "watch", suspicion: { since: 1000, state: "OPENING" }, recheckInMs: 5000 });
    expect(judgeProbe(answered({ state: "OPENING", connection: "connecting" }), suspicion, at(11_000), SETTINGS)).toEqual({
      action: "fail",
      reason: "WhatsApp Web lost its connection and did not reconnect (state OPENING for 10 s)",
      restart: true,
      loggedOut: false,
      disconnect: "OPENING",
    });
  });

  it("a page that answers without a state counts as reconnecting", () => {
    expect(judgeProbe(answered({ state: null, connection: null }), null, at(0), SETTINGS)).toMatchObject({
      action: "watch",
      suspicion: { kind: "connecting", state: "unknown" },
    });
  });

  it("conflict restarts; a removed device and a block do not, and only the removed device is logged out", () => {
    expect(judgeProbe(answered({ state: "CONFLICT", connection: "conflict" }), null, at(0), SETTINGS)).toEqual({
      action: "fail",
      reason: "WhatsApp Web was opened elsewhere with this account (state CONFLICT)",
      restart: true,
      loggedOut: false,
      disconnect: "CONFLICT",
    });
    expect(judgeProbe(answered({ state: "UNPAIRED", connection: "logged-out" }), null, at(0), SETTINGS)).toEqual({
      action: "fail",
      reason: "the phone removed this linked device (state UNPAIRED)",
      restart: false,
      loggedOut: true,
      disconnect: "UNPAIRED",
    });
    expect(judgeProbe(answered({ state: "TOS_BLOCK", connection: "blocked" }), null, at(0), SETTINGS)).toMatchObject({
      action: "fail",
      reason: "WhatsApp refuses this session (state TOS_BLOCK)",
      restart: false,
      loggedOut: false,
    });
  });

  it("one unanswered probe is asked again at once; the second in a row makes the page hung", () => {
    const first = judgeProbe({ kind: "timed-out" }, null, at(15_000, 10_000), SETTINGS);
    expect(first).toEqual({
      action: "watch",
      suspicion: { kind: "unanswered", since: 10_000, strikes: 1, detail: null },
      recheckInMs: 0,
    });
    const suspicion = (first as { suspicion: Suspicion }).suspicion;
    expect(describeSuspicion(suspicion)).toBe("the page did not answer 1 probe");
    expect(judgeProbe({ kind: "timed-out" }, suspicion, at(20_000, 15_000), SETTINGS)).toEqual({
      action: "fail",
      reason: "the WhatsApp Web page is not responding (no answer to 2 probes in a row, 10 s)",
      restart: true,
      loggedOut: false,
      disconnect: null,
    });
  });

  it("a slow answer between two unanswered probes starts the count over", () => {
    const suspicion: Suspicion = { kind: "unanswered", since: 0, strikes: 1, detail: null };
    expect(judgeProbe(answered({}), suspicion, at(9000, 5000), SETTINGS)).toEqual({ action: "healthy" });
    expect(judgeProbe({ kind: "timed-out" }, null, at(20_000, 15_000), SETTINGS)).toMatchObject({ action: "watch" });
  });

  it("a probe that fails is retried after a moment, then fails with the page's error", () => {
    const first = judgeProbe({ kind: "error", message: "Execution context was destroyed" }, null, at(10), SETTINGS);
    expect(first).toMatchObject({ action: "watch", recheckInMs: 1000, suspicion: { strikes: 1 } });
    const second = judgeProbe(
      { kind: "error", message: "Target closed" },
      (first as { suspicion: Suspicion }).suspicion,
      at(1010),
      SETTINGS,
    );
    expect(second).toMatchObject({ action: "fail", reason: "the WhatsApp Web page is not responding (Target closed)", restart: true });
  });

  it("describes what is watched", () => {
    expect(describeSuspicion(null)).toBeNull();
    expect(describeSuspicion({ kind: "connecting", since: 0, state: "TIMEOUT" })).toBe("reconnecting (state TIMEOUT)");
    expect(describeSuspicion({ kind: "unanswered", since: 0, strikes: 1, detail: "Target closed" })).toBe(
      "the page did not answer 1 probe: Target closed",
    );
  });
});
