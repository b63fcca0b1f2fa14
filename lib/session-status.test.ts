import { describe, expect, it } from "vitest";
import { SESSION_STATUSES, canTransition, isRunningStatus } from "./session-status";

describe("session status table", () => {
  it("only a start leaves STOPPED", () => {
    for (const to of SESSION_STATUSES) expect(canTransition("STOPPED", to)).toBe(to === "STARTING");
  });

  it("FAILED can only restart or stop", () => {
    expect(canTransition("FAILED", "STARTING")).toBe(true);
    expect(canTransition("FAILED", "STOPPED")).toBe(true);
    expect(canTransition("FAILED", "WORKING")).toBe(false);
    expect(canTransition("FAILED", "FAILED")).toBe(false);
  });

  it("a QR refresh repeats SCAN_QR_CODE", () => {
    expect(canTransition("SCAN_QR_CODE", "SCAN_QR_CODE")).toBe(true);
  });

  it("every running status can stop or fail", () => {
    for (const from of SESSION_STATUSES.filter(isRunningStatus)) {
      expect(canTransition(from, "STOPPED")).toBe(true);
      if (from !== "FAILED") expect(canTransition(from, "FAILED")).toBe(true);
    }
  });

  it("STOPPED is the only status that is not running", () => {
    expect(SESSION_STATUSES.filter((s) => !isRunningStatus(s))).toEqual(["STOPPED"]);
  });
});
