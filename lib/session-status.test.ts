import { describe, expect, it } from "vitest";
import {
  SESSION_STATUSES,
  ZStatusChangeSchema,
  canTransition,
  foldStatusChange,
  isRunningStatus,
  type TStatusChange,
} from "./session-status";

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

describe("status history with QR refreshes folded", () => {
  const change = (status: TStatusChange["status"], timestamp: number, reason = "r"): TStatusChange => ({ status, timestamp, reason });

  it("counts consecutive SCAN_QR_CODE in the first one, keeping its time and reason, noting the last one's time", () => {
    let history: TStatusChange[] = [change("STARTING", 1, "started")];
    history = foldStatusChange(history, change("SCAN_QR_CODE", 2, "login not restored"));
    const unfolded = history;
    history = foldStatusChange(history, change("SCAN_QR_CODE", 3, "qr"));
    history = foldStatusChange(history, change("SCAN_QR_CODE", 4, "qr"));
    expect(history).toEqual([
      change("STARTING", 1, "started"),
      { status: "SCAN_QR_CODE", timestamp: 2, reason: "login not restored", count: 3, lastTimestamp: 4 },
    ]);
    expect(unfolded[1]).not.toHaveProperty("count");
    // A new stretch of codes after another status is an entry of its own.
    history = foldStatusChange(history, change("STARTING", 5));
    history = foldStatusChange(history, change("SCAN_QR_CODE", 6, "qr"));
    expect(history.map((entry) => entry.count)).toEqual([undefined, 3, undefined, undefined]);
    for (const entry of history) expect(ZStatusChangeSchema.parse(entry)).toEqual(entry);
  });

  it("keeps the newest entries; refreshes take no room", () => {
    let history: TStatusChange[] = [];
    for (let i = 0; i < 4; i++) history = foldStatusChange(history, change(i % 2 ? "WORKING" : "STARTING", i, `real ${i}`), 3);
    for (let i = 0; i < 50; i++) history = foldStatusChange(history, change("SCAN_QR_CODE", 10 + i, "qr"), 3);
    expect(history.map((entry) => entry.reason)).toEqual(["real 2", "real 3", "qr"]);
    expect(history[2]).toMatchObject({ count: 50, timestamp: 10, lastTimestamp: 59 });
  });

  it("the API shape stays compatible: count and lastTimestamp are optional, and a count is at least 2", () => {
    expect(ZStatusChangeSchema.safeParse(change("WORKING", 1)).success).toBe(true);
    expect(ZStatusChangeSchema.safeParse({ ...change("SCAN_QR_CODE", 1), count: 1 }).success).toBe(false);
  });
});
