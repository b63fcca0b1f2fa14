import type { AddressInfo } from "node:net";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import pino, { type Level, type Logger } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { ZErrorBodySchema } from "@/lib/errors";
import { afterResponse, currentTrace, traceLogFields } from "../request-context";
import { createHttpServer } from "./http-server";

let server: Server | null = null;

async function serve(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  options: { logger?: Logger; httpLogLevel?: Level } = {},
): Promise<string> {
  server = createHttpServer({
    handle: async (req, res) => handle(req, res),
    production: true,
    requestTimeoutMs: 5_000,
    logger: options.logger ?? pino({ level: "silent" }),
    httpLogLevel: options.httpLogLevel ?? "debug",
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = null;
});

describe("createHttpServer", () => {
  it("rewrites an /api error that is not JSON into the error body, however it was written", async () => {
    const url = await serve((req, res) => {
      if (req.url === "/api/html") {
        res.statusCode = 404;
        res.setHeader("Content-Type", "text/html");
        res.write("<html>not found</html>");
        res.end();
      } else if (req.url === "/api/head") {
        res.writeHead(405, { Allow: "GET" });
        res.end();
      } else {
        res.writeHead(400, "Bad Request", { "Content-Type": "text/plain" }).end("plain text");
      }
    });
    for (const [path, status, code] of [
      ["/api/html", 404, "not_found"],
      ["/api/head", 405, "method_not_allowed"],
      ["/api/text", 400, "bad_request"],
    ] as const) {
      const response = await fetch(`${url}${path}`);
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toContain("application/json");
      expect(ZErrorBodySchema.parse(await response.json()).code).toBe(code);
    }
    expect((await fetch(`${url}/api/head`)).headers.get("allow")).toBe("GET");
  });

  it("leaves JSON errors, successes and pages outside /api as they are", async () => {
    const url = await serve((req, res) => {
      if (req.url === "/api/json") res.writeHead(422, { "Content-Type": "application/json" }).end('{"custom":true}');
      else if (req.url === "/page") res.writeHead(404, { "Content-Type": "text/html" }).end("<p>page</p>");
      else res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
    });
    expect(await (await fetch(`${url}/api/json`)).json()).toEqual({ custom: true });
    expect(await (await fetch(`${url}/page`)).text()).toBe("<p>page</p>");
    expect(await (await fetch(`${url}/api/ok`)).text()).toBe("ok");
  });

  it("sends the security headers and a fresh nonce that the handler sees on the request", async () => {
    const seen: string[] = [];
    const url = await serve((req, res) => {
      seen.push(String(req.headers["x-nonce"]));
      res.end("ok");
    });
    const first = await fetch(url);
    const second = await fetch(url);
    expect(first.headers.get("x-frame-options")).toBe("DENY");
    expect(first.headers.get("content-security-policy")).toContain(`'nonce-${seen[0]}'`);
    expect(second.headers.get("content-security-policy")).toContain(`'nonce-${seen[1]}'`);
    expect(seen[0]).not.toBe(seen[1]);
    // Past a refill of the pool they are cut from (every 128 requests), each is still new and 16 bytes.
    for (let i = 0; i < 200; i++) await (await fetch(url)).text();
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.every((nonce) => Buffer.from(nonce, "base64").length === 16)).toBe(true);
  });

  it("runs each request in its trace: continued from its traceparent, in its log lines, passed on", async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: "info", mixin: traceLogFields }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const seen: { trace: ReturnType<typeof currentTrace>; header: unknown }[] = [];
    const url = await serve(
      (req, res) => {
        // Later in the request's own async work, the trace is still there.
        void Promise.resolve().then(() => {
          seen.push({ trace: currentTrace(), header: req.headers.traceparent });
          logger.info("handled");
          res.end("ok");
        });
      },
      { logger, httpLogLevel: "info" },
    );
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    await fetch(url, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    await fetch(url);
    await expect.poll(() => lines.filter((line) => line.msg === "request completed").length).toBe(2);

    const [continued, started] = seen;
    expect(continued!.trace).toMatchObject({ traceId, parentSpanId: "00f067aa0ba902b7", flags: "01" });
    expect(continued!.header).toBe(`00-${traceId}-${continued!.trace!.spanId}-01`);
    expect(started!.trace!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(started!.trace!.traceId).not.toBe(traceId);
    expect(started!.trace!.parentSpanId).toBeNull();
    for (const { trace } of seen) {
      const ofRequest = lines.filter((line) => line.trace_id === trace!.traceId);
      expect(ofRequest.map((line) => line.msg).sort()).toEqual(["handled", "request completed"]);
      expect(ofRequest.every((line) => line.span_id === trace!.spanId)).toBe(true);
    }
    expect(lines.find((line) => line.msg === "request completed")).toMatchObject({ level: 30, status: 200, method: "GET" });
  });

  it("logs no access line below WAHA_HTTP_LOG_LEVEL", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
    const url = await serve((_req, res) => res.end("ok"), { logger, httpLogLevel: "debug" });
    await fetch(url);
    logger.info("after");
    await expect.poll(() => lines.length).toBe(1);
    expect(lines[0]).toContain('"msg":"after"');
  });

  it("runs afterResponse work once the answer has gone out", async () => {
    const finishedThen: boolean[] = [];
    const url = await serve((_req, res) => {
      afterResponse(() => finishedThen.push(res.writableFinished));
      res.end("ok");
    });
    expect(await (await fetch(url)).text()).toBe("ok");
    await expect.poll(() => finishedThen).toEqual([true]);
  });
});
