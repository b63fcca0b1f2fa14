import { describe, expect, it } from "vitest";
import type { HostEvent, HostListener } from "../engines/engine-host";
import { printQrCodes } from "./print-qr-codes";

function fakeHost() {
  const listeners = new Set<HostListener>();
  return {
    subscribe: (listener: HostListener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit: (event: HostEvent) => listeners.forEach((listener) => listener(event)),
  };
}

describe("printQrCodes", () => {
  it("draws each new QR with the session's name and the pairing hint, and nothing else", async () => {
    const host = fakeHost();
    const written: string[] = [];
    const stop = printQrCodes(host, (text) => written.push(text));
    host.emit({ type: "engine.event", session: "a", event: "x", data: null });
    host.emit({ type: "qr", session: "a", value: "2@qr-value" });
    await expect.poll(() => written.length).toBe(1);
    expect(written[0]).toContain("Session 'a'");
    expect(written[0]).toContain("POST /api/a/auth/request-code");
    expect(written[0]).toMatch(/[▀▄█]/);
    stop();
    // Unsubscribed: nothing is even scheduled.
    host.emit({ type: "qr", session: "a", value: "2@next" });
    expect(written).toHaveLength(1);
  });
});
