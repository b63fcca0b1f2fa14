import { describe, expect, it } from "vitest";
import { findUnsafeJson, findUnsafeKey } from "./unsafe-input";

describe("findUnsafeJson", () => {
  it("names lone surrogates in values and keys at any depth", () => {
    const input = JSON.parse('{"config":{"metadata":{"k":"\\ud800","ok":"\\ud83d\\ude00"},"list":["a","\\udc00"]},"\\ud800":1}');
    expect(findUnsafeJson(input).map((issue) => issue.field)).toEqual(["config.metadata.k", "config.list.1", "\ud800"]);
  });

  it("names __proto__ keys, which JSON.parse keeps as own properties", () => {
    const input = JSON.parse('{"config":{"metadata":{"__proto__":{"a":"b"}}},"__proto__":1}');
    expect(findUnsafeJson(input).map((issue) => issue.field)).toEqual(["config.metadata.__proto__", "__proto__"]);
  });

  it("accepts ordinary JSON, emoji included", () => {
    expect(findUnsafeJson({ a: ["😀", 1, null, { constructor: "fine" }] })).toEqual([]);
  });

  it("refuses nesting deeper than any config instead of recursing without bound", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(findUnsafeJson(deep)).toHaveLength(1);
  });

  it("checks a single key (query parameters)", () => {
    expect(findUnsafeKey("__proto__", ["metadata.__proto__"])).toEqual([
      { field: "metadata.__proto__", message: '"__proto__" is not allowed as a key' },
    ]);
    expect(findUnsafeKey("tenant")).toEqual([]);
  });
});
