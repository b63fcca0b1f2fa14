import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { jsonText } from "./handler";

type RouteParams = Record<string, string | string[]>;
type RouteHandler = (request: Request, context: { params: Promise<RouteParams> }) => Promise<Response>;

/** A route module as Next loads it: one exported function per HTTP method (each with its own params type). */
export interface RouteModule {
  GET?(request: Request, context: { params: Promise<RouteParams> }): Promise<Response>;
  POST?(request: Request, context: { params: Promise<RouteParams> }): Promise<Response>;
  PUT?(request: Request, context: { params: Promise<RouteParams> }): Promise<Response>;
  PATCH?(request: Request, context: { params: Promise<RouteParams> }): Promise<Response>;
  DELETE?(request: Request, context: { params: Promise<RouteParams> }): Promise<Response>;
}

/**
 * One route handler file, by its URL pattern in Next's folder syntax (`/api/sessions/[session]`).
 * `module: "next"` keeps a route on Next's router (next-auth needs Next's request context): listing it
 * still matters, because it outranks a dynamic pattern the same path would otherwise match.
 */
export interface DirectRoute {
  pattern: string;
  module: RouteModule | "next";
}

type Segment = { kind: "static"; text: string } | { kind: "param"; name: string } | { kind: "catchAll"; name: string };

interface CompiledRoute {
  pattern: string;
  segments: Segment[];
  module: RouteModule | "next";
}

export interface MatchedRoute {
  /** The route's pattern, as in the table (`/api/sessions/[session]`). */
  pattern: string;
  handler: RouteHandler;
  params: RouteParams;
}

const RANK = { static: 0, param: 1, catchAll: 2 } as const;

/**
 * The custom server's fast path to the route handlers: the same exported functions Next would call,
 * called from `node:http` without Next's per-request pipeline (which caps the API at a fraction of what
 * the handlers can answer). Everything the wrapper does (auth, validation, the error body) is inside
 * the handler; the security headers and JSON errors come from the HTTP layer in front of both paths.
 * Anything this does not recognise exactly (an unknown path, a method the file does not export, HEAD and
 * OPTIONS, a trailing slash, odd encoding) goes to Next, which answers it as it always did.
 */
export function createDirectRoutes(routes: readonly DirectRoute[]) {
  const compiled: CompiledRoute[] = routes.map((route) => ({
    pattern: route.pattern,
    segments: parsePattern(route.pattern),
    module: route.module,
  }));

  function match(method: string, pathname: string): MatchedRoute | null {
    const parts = splitPath(pathname);
    if (!parts) return null;
    let best: { route: CompiledRoute; params: RouteParams } | null = null;
    for (const route of compiled) {
      const params = matchSegments(route.segments, parts);
      if (params && (!best || outranks(route.segments, best.route.segments))) best = { route, params };
    }
    if (!best || best.route.module === "next") return null;
    const handler = best.route.module[method as keyof RouteModule]?.bind(best.route.module);
    return handler ? { pattern: best.route.pattern, handler, params: best.params } : null;
  }

  /** Answers `req` through its route handler and returns true, or returns false for Next to answer. */
  async function serve(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    const matched = match(req.method ?? "GET", query === -1 ? url : url.slice(0, query));
    if (!matched) return false;
    const request = toFetchRequest(req);
    if (!request) return false;
    const response = await matched.handler(request, { params: Promise.resolve(matched.params) });
    await writeResponse(response, res);
    return true;
  }

  return { match, serve };
}

function parsePattern(pattern: string): Segment[] {
  return pattern
    .split("/")
    .filter(Boolean)
    .map((part): Segment => {
      if (part.startsWith("[...") && part.endsWith("]")) return { kind: "catchAll", name: part.slice(4, -1) };
      if (part.startsWith("[") && part.endsWith("]")) return { kind: "param", name: part.slice(1, -1) };
      return { kind: "static", text: part };
    });
}

/** Decoded path segments, or null for a path Next should judge (trailing slash, empty or dot segments, bad escapes). */
function splitPath(pathname: string): string[] | null {
  if (!pathname.startsWith("/") || pathname.length < 2 || pathname.endsWith("/")) return null;
  const parts = pathname.slice(1).split("/");
  const decoded: string[] = [];
  for (const part of parts) {
    if (part === "" || part === "." || part === "..") return null;
    try {
      const text = decodeURIComponent(part);
      if (text.includes("/")) return null;
      decoded.push(text);
    } catch {
      return null;
    }
  }
  return decoded;
}

function matchSegments(segments: Segment[], parts: string[]): RouteParams | null {
  const params: RouteParams = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment.kind === "catchAll") {
      if (i >= parts.length) return null;
      params[segment.name] = parts.slice(i);
      return params;
    }
    if (i >= parts.length) return null;
    if (segment.kind === "static" && segment.text !== parts[i]) return null;
    if (segment.kind === "param") params[segment.name] = parts[i];
  }
  return segments.length === parts.length ? params : null;
}

/** Next's precedence: at the first position where two patterns differ in kind, the static one wins, then a parameter. */
function outranks(a: Segment[], b: Segment[]): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i].kind !== b[i].kind) return RANK[a[i].kind] < RANK[b[i].kind];
  }
  return false;
}

const BODYLESS = new Set(["GET", "HEAD"]);

/** Bodies read ahead of the route (cluster routing reads a deprecated route's body for its session name). */
const replayedBodies = new WeakMap<IncomingMessage, Buffer>();

/** Gives `req`'s route handler `body`, already read from the socket, as the request body. */
export function replayBody(req: IncomingMessage, body: Buffer): void {
  replayedBodies.set(req, body);
}

/** The Fetch API request a route handler expects, or null when Node accepted something Fetch would not. */
function toFetchRequest(req: IncomingMessage): Request | null {
  try {
    // From req.headers, as Next does: the HTTP layer in front sets some there (the CSP nonce).
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) for (const item of value) headers.append(name, item);
      else if (value !== undefined) headers.set(name, value);
    }
    const method = req.method ?? "GET";
    const replayed = replayedBodies.get(req);
    const body = BODYLESS.has(method) ? undefined : (replayed ?? (Readable.toWeb(req) as ReadableStream<Uint8Array>));
    return new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, { method, headers, body, duplex: "half" } as RequestInit);
  } catch {
    return null;
  }
}

async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) res.setHeader("set-cookie", cookies);
  if (!response.body) {
    res.end();
    return;
  }
  // Route responses are small JSON documents or one screenshot: one write, with a Content-Length.
  res.end(jsonText(response) ?? Buffer.from(await response.arrayBuffer()));
}
