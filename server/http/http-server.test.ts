import type { AddressInfo } from "node:net";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { ZErrorBodySchema } from "@/lib/errors";
import { createHttpServer } from "./http-server";

let server: Server | null = null;

async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createHttpServer({
    handle: async (req, res) => handle(req, res),
    production: true,
    requestTimeoutMs: 5_000,
    logger: pino({ level: "silent" }),
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
  });
});
