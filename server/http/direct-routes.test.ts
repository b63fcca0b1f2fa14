import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createDirectRoutes, type DirectRoute } from "./direct-routes";

const ok = (label: string) => async (request: Request, context: { params: Promise<Record<string, string | string[]>> }) =>
  Response.json({ label, method: request.method, params: await context.params });

const ROUTES: DirectRoute[] = [
  { pattern: "/api/sessions", module: { GET: ok("list"), POST: ok("create") } },
  { pattern: "/api/sessions/start", module: { POST: ok("start-many") } },
  { pattern: "/api/sessions/[session]", module: { GET: ok("one"), DELETE: ok("delete") } },
  { pattern: "/api/sessions/[session]/start", module: { POST: ok("start") } },
  { pattern: "/api/[session]/auth/qr", module: { GET: ok("qr") } },
  { pattern: "/api/auth/[...nextauth]", module: "next" },
];

describe("direct route matching", () => {
  const routes = createDirectRoutes(ROUTES);
  const label = (method: string, path: string) => {
    const matched = routes.match(method, path);
    return matched ? matched.params : null;
  };

  it("matches static and dynamic segments, with decoded params", () => {
    expect(label("GET", "/api/sessions")).toEqual({});
    expect(label("GET", "/api/sessions/default")).toEqual({ session: "default" });
    expect(label("GET", "/api/sessions/a%20b")).toEqual({ session: "a b" });
    expect(label("POST", "/api/sessions/x/start")).toEqual({ session: "x" });
  });

  it("prefers a static segment to a parameter, as Next does", async () => {
    const matched = routes.match("POST", "/api/sessions/start");
    const response = await matched!.handler(new Request("http://localhost/"), { params: Promise.resolve(matched!.params) });
    expect(await response.json()).toMatchObject({ label: "start-many" });
    // next-auth's catch-all outranks `[session]/auth/qr` for /api/auth/...: it stays with Next.
    expect(label("GET", "/api/auth/auth/qr")).toBeNull();
    expect(label("GET", "/api/other/auth/qr")).toEqual({ session: "other" });
  });

  it("leaves to Next what it does not recognise exactly", () => {
    expect(label("PUT", "/api/sessions/x")).toBeNull(); // method not exported: Next's 405
    expect(label("HEAD", "/api/sessions/x")).toBeNull();
    expect(label("GET", "/api/sessions/")).toBeNull(); // Next redirects a trailing slash
    expect(label("GET", "/api//sessions")).toBeNull();
    expect(label("GET", "/api/sessions/%E0%A4%A")).toBeNull(); // malformed escape
    expect(label("GET", "/api/sessions/a%2Fb")).toBeNull(); // an encoded slash
    expect(label("GET", "/api/sessions/x/y/z")).toBeNull();
    expect(label("GET", "/api/unknown")).toBeNull();
  });
});

describe("direct route serving", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function listen(routes: DirectRoute[]): Promise<string> {
    const direct = createDirectRoutes(routes);
    server = createServer(async (req, res) => {
      if (!(await direct.serve(req, res))) res.writeHead(599).end("next");
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  }

  it("passes method, headers, query, body and params through, and writes status, headers and cookies back", async () => {
    const url = await listen([
      {
        pattern: "/echo/[id]",
        module: {
          POST: async (request, context) => {
            const headers = new Headers({ "x-echo": request.headers.get("x-api-key") ?? "" });
            headers.append("set-cookie", "a=1");
            headers.append("set-cookie", "b=2");
            const body = { params: await context.params, query: new URL(request.url).search, text: await request.text() };
            return Response.json(body, { status: 201, headers });
          },
        },
      },
    ]);
    const response = await fetch(`${url}/echo/42?x=1`, { method: "POST", headers: { "X-Api-Key": "k" }, body: "hello" });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-echo")).toBe("k");
    expect(response.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(response.headers.get("content-length")).not.toBeNull();
    expect(await response.json()).toEqual({ params: { id: "42" }, query: "?x=1", text: "hello" });
  });

  it("hands an unmatched request to the next handler", async () => {
    const url = await listen(ROUTES);
    const response = await fetch(`${url}/dashboard`);
    expect(response.status).toBe(599);
  });
});
