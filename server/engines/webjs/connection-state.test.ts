import { describe, expect, it } from "vitest";
import { classifyState } from "./connection-state";

describe("classifyState", () => {
  it("maps whatsapp-web.js's WAState values to what they mean for the session", () => {
    expect(classifyState("CONNECTED")).toBe("connected");
    for (const state of ["OPENING", "PAIRING", "TIMEOUT", "UNLAUNCHED"]) expect(classifyState(state)).toBe("connecting");
    expect(classifyState("CONFLICT")).toBe("conflict");
    for (const state of ["UNPAIRED", "UNPAIRED_IDLE"]) expect(classifyState(state)).toBe("logged-out");
    for (const state of ["TOS_BLOCK", "SMB_TOS_BLOCK", "PROXYBLOCK", "DEPRECATED_VERSION"]) expect(classifyState(state)).toBe("blocked");
  });

  it("treats an unknown or missing state as a connection in progress", () => {
    expect(classifyState(null)).toBe("connecting");
    expect(classifyState("SOMETHING_NEW")).toBe("connecting");
    expect(classifyState("constructor")).toBe("connecting");
  });
});
