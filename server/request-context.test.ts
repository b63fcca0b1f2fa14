import { describe, expect, it } from "vitest";
import {
  currentTrace,
  currentTraceparent,
  formatTraceparent,
  parseTraceparent,
  runInRequest,
  startTrace,
  untraced,
} from "./request-context";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID = "00f067aa0ba902b7";

describe("parseTraceparent", () => {
  it("reads a version 00 header, and a later version's first four fields", () => {
    expect(parseTraceparent(`00-${TRACE_ID}-${PARENT_ID}-01`)).toEqual({ traceId: TRACE_ID, parentId: PARENT_ID, flags: "01" });
    expect(parseTraceparent(` 00-${TRACE_ID}-${PARENT_ID}-00 `)).toEqual({ traceId: TRACE_ID, parentId: PARENT_ID, flags: "00" });
    expect(parseTraceparent(`cc-${TRACE_ID}-${PARENT_ID}-01-what-comes-later`)).toMatchObject({ traceId: TRACE_ID });
  });

  it("ignores what the W3C says to ignore", () => {
    for (const header of [
      undefined,
      ["a", "b"],
      "",
      `ff-${TRACE_ID}-${PARENT_ID}-01`,
      `00-${"0".repeat(32)}-${PARENT_ID}-01`,
      `00-${TRACE_ID}-${"0".repeat(16)}-01`,
      `00-${TRACE_ID.toUpperCase()}-${PARENT_ID}-01`,
      `00-${TRACE_ID}-${PARENT_ID}-01-extra`,
      `00-${TRACE_ID.slice(1)}-${PARENT_ID}-01`,
      `0-${TRACE_ID}-${PARENT_ID}-01`,
    ]) {
      expect(parseTraceparent(header), String(header)).toBeNull();
    }
  });
});

describe("startTrace", () => {
  it("continues a caller's trace under a span of its own", () => {
    const trace = startTrace(`00-${TRACE_ID}-${PARENT_ID}-00`);
    expect(trace).toMatchObject({ traceId: TRACE_ID, parentSpanId: PARENT_ID, flags: "00" });
    expect(trace.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(trace.spanId).not.toBe(PARENT_ID);
    expect(formatTraceparent(trace)).toBe(`00-${TRACE_ID}-${trace.spanId}-00`);
  });

  it("starts a sampled trace without a valid header", () => {
    const trace = startTrace("garbage");
    expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(trace).toMatchObject({ parentSpanId: null, flags: "01" });
    expect(parseTraceparent(formatTraceparent(trace))).not.toBeNull();
  });
});

describe("request context", () => {
  it("follows the request's async work, and not what runs untraced", async () => {
    const trace = startTrace(undefined);
    expect(currentTrace()).toBeNull();
    const { result } = runInRequest(trace, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const inside = currentTraceparent();
      const outside = await untraced(async () => {
        await Promise.resolve();
        return currentTrace();
      });
      return { inside, outside };
    });
    expect(await result).toEqual({ inside: formatTraceparent(trace), outside: null });
    expect(currentTrace()).toBeNull();
  });
});
