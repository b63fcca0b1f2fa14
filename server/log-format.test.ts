import { describe, expect, it } from "vitest";
import { formatPrettyLine } from "./log-format";

const TIME = Date.UTC(2026, 10, 30, 19, 4, 7, 123);

describe("formatPrettyLine", () => {
  it("puts time, level, module and message first, then the other fields", () => {
    const line = JSON.stringify({
      level: 30,
      time: TIME,
      worker: "w1",
      module: "http",
      trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
      method: "GET",
      url: "/api/sessions?x=a b",
      status: 200,
      body: { a: 1 },
      msg: "request completed",
    });
    expect(formatPrettyLine(line, { colour: false })).toBe(
      '2026-11-30 19:04:07.123 INFO  [http] request completed worker=w1 trace_id=4bf92f3577b34da6a3ce929d0e0e4736 method=GET url="/api/sessions?x=a b" status=200 body={"a":1}\n',
    );
  });

  it("shows an error's message in the line and its stack below it", () => {
    const line = JSON.stringify({
      level: 50,
      time: TIME,
      err: { type: "Error", message: "boom", stack: "Error: boom\n    at f (x.ts:1:1)" },
      msg: "failed",
    });
    expect(formatPrettyLine(line, { colour: false })).toBe(
      "2026-11-30 19:04:07.123 ERROR failed err=boom\n    Error: boom\n        at f (x.ts:1:1)\n",
    );
  });

  it("colours the level on a terminal only", () => {
    const line = JSON.stringify({ level: 40, time: TIME, msg: "careful" });
    expect(formatPrettyLine(line, { colour: true })).toContain("\u001b[33mWARN \u001b[0m");
    expect(formatPrettyLine(line, { colour: false })).not.toContain("\u001b");
  });

  it("passes a line that is not a JSON object unchanged", () => {
    expect(formatPrettyLine("plain text\n", { colour: false })).toBe("plain text\n");
    expect(formatPrettyLine("[1,2]\n", { colour: false })).toBe("[1,2]\n");
  });
});
