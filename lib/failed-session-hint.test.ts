import { describe, expect, it } from "vitest";
import { failedSessionHint } from "./failed-session-hint";

const health = { failures: 1, gaveUp: false, restart: { backoffMs: 1000, maxBackoffMs: 60_000, at: null } };

describe("failedSessionHint", () => {
  it("says automatic restarts stopped when the session gave up", () => {
    expect(failedSessionHint("boom", { ...health, failures: 5, gaveUp: true })).toMatch(
      /5 times in a row.*stopped.*boom.*start it by hand/,
    );
  });

  it("asks for a new QR code when the phone removed the device, never to restart", () => {
    const hint = failedSessionHint("the phone removed this linked device (disconnected: LOGOUT)", health);
    expect(hint).toMatch(/scan a new QR code/);
    expect(hint).not.toMatch(/restart/i);
  });

  it("says a restart will not help when WhatsApp refuses the account", () => {
    expect(failedSessionHint("WhatsApp refuses this session (state UNPAIRED_IDLE)", health)).toMatch(/restarting will not help/);
  });

  it("says it restarts by itself while an automatic restart is pending", () => {
    expect(failedSessionHint("stuck in STARTING for 60 s; restarting", { ...health, restart: { ...health.restart, at: 5 } })).toMatch(
      /restarts by itself/,
    );
  });

  it("otherwise says it stays failed, with the reason", () => {
    expect(failedSessionHint("Chromium not found", health)).toMatch(/\(Chromium not found\) and will not restart by itself/);
  });
});
