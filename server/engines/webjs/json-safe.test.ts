import { describe, expect, it } from "vitest";
import { eventData, toJsonSafe } from "./json-safe";

describe("toJsonSafe", () => {
  it("keeps plain data as it is", () => {
    expect(toJsonSafe({ a: 1, b: ["x", null, true], c: { d: "e" } })).toEqual({ a: 1, b: ["x", null, true], c: { d: "e" } });
    expect(toJsonSafe("qr-string")).toBe("qr-string");
  });

  it("breaks cycles but keeps repeated (non-circular) references", () => {
    const shared = { id: "s" };
    const node: Record<string, unknown> = { name: "n", left: shared, right: shared };
    node.self = node;
    expect(toJsonSafe(node)).toEqual({ name: "n", left: { id: "s" }, right: { id: "s" }, self: "[Circular]" });
  });

  it("converts what JSON cannot hold", () => {
    expect(toJsonSafe({ n: 10n, f: () => 1, u: undefined, e: new Error("boom") })).toEqual({
      n: "10",
      e: { name: "Error", message: "boom" },
    });
    expect(toJsonSafe(undefined)).toBeNull();
    expect(toJsonSafe(Buffer.from("hi"))).toEqual({ type: "Buffer", data: [104, 105] });
  });

  it("skips the hidden client back-reference of library structures", () => {
    const message = { id: "m1", body: "hello" };
    Object.defineProperty(message, "client", { value: { pupPage: {}, huge: "x".repeat(10) }, enumerable: false });
    expect(toJsonSafe(message)).toEqual({ id: "m1", body: "hello" });
  });
});

describe("eventData", () => {
  it("is null without arguments, unwraps a single one and keeps several as an array", () => {
    expect(eventData([])).toBeNull();
    expect(eventData(["LOGOUT"])).toBe("LOGOUT");
    expect(eventData([50, "WhatsApp"])).toEqual([50, "WhatsApp"]);
  });
});
