import type { IncomingMessage, ServerResponse } from "node:http";
import { readFile } from "node:fs/promises";
import type { Double, DoubleCapping, DoublePhone, FaultTarget, LogoutVia } from "./double";
import { DoubleError } from "./double-error";

/**
 * The double's HTTP surface, all on one port:
 *   the page      GET /, GET /double.js
 *   page -> WA    GET /__page/events (SSE), POST /__page/rpc/{refreshQR,altLink,logout,restrictions,presence}
 *   the phone     GET /__double/sessions, POST /__double/{scan,enter-code,rotate,logout}
 *   faults        POST /__double/{drop,conflict,hang}
 *   the account   POST /__double/{timelock,capping,availability,version}
 */

export interface PageFiles {
  html: string;
  script: string;
}

type JsonBody = Record<string, unknown>;
type Handler = (body: JsonBody) => unknown;

export async function loadPageFiles(): Promise<PageFiles> {
  const [html, script] = await Promise.all([
    readFile(new URL("./page/index.html", import.meta.url), "utf8"),
    readFile(new URL("./page/double.js", import.meta.url), "utf8"),
  ]);
  return { html, script };
}

export function createRequestHandler(double: Double, page: PageFiles) {
  const pageCalls: Record<string, Handler> = {
    refreshQR: (body) => double.refreshQr(text(body, "sid")),
    altLink: (body) => ({ code: double.requestPairingCode(text(body, "sid"), text(body, "phoneNumber")) }),
    logout: (body) => double.logoutFromPage(text(body, "sid")),
    restrictions: (body) => double.restrictionsOf(text(body, "sid")),
    presence: (body) => double.recordPresence(text(body, "sid"), body.available === true),
  };
  const controlCalls: Record<string, Handler> = {
    "GET /__double/sessions": () => double.sessions(),
    "POST /__double/scan": (body) => double.scan(text(body, "qr"), body.phone as DoublePhone),
    "POST /__double/enter-code": (body) => double.enterCode(text(body, "code"), body.phone as Partial<DoublePhone>),
    "POST /__double/rotate": (body) => double.rotate(optionalText(body, "sid")),
    "POST /__double/logout": (body) =>
      double.logout(
        { user: optionalText(body, "user"), sid: optionalText(body, "sid"), device: optionalText(body, "device") },
        { via: optionalText(body, "via") as LogoutVia | undefined },
      ),
    "POST /__double/drop": (body) =>
      double.dropConnection(faultTarget(body), { reconnectAfterMs: optionalNumber(body, "reconnectAfterMs") }),
    "POST /__double/conflict": (body) => double.conflict(faultTarget(body)),
    "POST /__double/hang": (body) => double.hang(faultTarget(body), { forMs: optionalNumber(body, "forMs") }),
    "POST /__double/timelock": (body) =>
      body.active === false
        ? double.endTimelock(faultTarget(body), { notify: body.notify !== false })
        : double.startTimelock(faultTarget(body), {
            endsInMs: optionalNumber(body, "endsInMs") ?? undefined,
            enforcementType: optionalText(body, "enforcementType"),
            notify: body.notify !== false,
          }),
    "POST /__double/capping": (body) =>
      double.setCapping(faultTarget(body), (body.capping ?? null) as DoubleCapping | null, { notify: body.notify !== false }),
    "POST /__double/availability": (body) => double.setAvailability(faultTarget(body), body.available as boolean),
    "POST /__double/version": (body) => double.setVersion(text(body, "version")),
  };

  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? "/", "https://web.whatsapp.com");
    const route = `${request.method} ${url.pathname}`;
    try {
      if (route === "GET /") return sendFile(response, "text/html", double.pageHtml(page.html));
      if (route === "GET /double.js") return sendFile(response, "text/javascript", page.script);
      if (route === "GET /__page/events") return openEventStream(double, request, response, url.searchParams.get("token"));

      const pageCall = route.startsWith("POST /__page/rpc/") ? pageCalls[url.pathname.slice("/__page/rpc/".length)] : undefined;
      const handler = pageCall ?? controlCalls[route];
      if (!handler) throw new DoubleError(404, `No route ${route}`);
      sendJson(response, 200, (await handler(await readJson(request))) ?? {});
    } catch (error) {
      const status = error instanceof DoubleError ? error.status : 500;
      sendJson(response, status, { error: error instanceof Error ? error.message : String(error) });
    }
  };
}

function openEventStream(double: Double, request: IncomingMessage, response: ServerResponse, token: string | null): void {
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store" });
  response.flushHeaders();
  const sid = double.openSession(response, token);
  request.on("close", () => double.closeSession(sid));
}

// no-store: a LocalAuth profile keeps its HTTP cache, and an old double.js must never come back.
function sendFile(response: ServerResponse, contentType: string, body: string): void {
  response.writeHead(200, { "content-type": `${contentType}; charset=utf-8`, "cache-control": "no-store" });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

async function readJson(request: IncomingMessage): Promise<JsonBody> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  if (raw === "") return {};
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new DoubleError(400, "The body is not JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new DoubleError(400, "The body must be a JSON object");
  }
  return body as JsonBody;
}

function text(body: JsonBody, field: string): string {
  const value = body[field];
  if (typeof value !== "string") throw new DoubleError(400, `'${field}' must be a string`);
  return value;
}

function optionalText(body: JsonBody, field: string): string | undefined {
  return body[field] === undefined ? undefined : text(body, field);
}

/** A number, or null when missing or null. */
function optionalNumber(body: JsonBody, field: string): number | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== "number") throw new DoubleError(400, `'${field}' must be a number or null`);
  return value;
}

function faultTarget(body: JsonBody): FaultTarget {
  return { user: optionalText(body, "user"), sid: optionalText(body, "sid") };
}
