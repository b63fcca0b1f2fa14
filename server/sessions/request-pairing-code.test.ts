import { describe, expect, it } from "vitest";
import { formatPairingCode } from "./request-pairing-code";

describe("formatPairingCode", () => {
  it("splits an 8-character code in two groups, as WAHA shows it", () => {
    expect(formatPairingCode("ABCDEFGH")).toBe("ABCD-EFGH");
    expect(formatPairingCode("ABCD-EFGH")).toBe("ABCD-EFGH");
  });
});
