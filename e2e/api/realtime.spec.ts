import http from "node:http";
import { io, type Socket } from "socket.io-client";
import WebSocket from "ws";
import { expect, test } from "../support/fixtures";
import { attemptLogin } from "../support/login";
import type { RunningServer } from "../support/server";

/** Live push: Socket.IO (authenticated handshake, rooms per session) and WAHA's raw /ws. */

const sockets: Socket[] = [];
const DASHBOARD_PASSWORD = "realtime-dashboard-password";

test.describe.configure({ mode: "serial" });
test.use({ serverOptions: { withDouble: true, env: { WAHA_DASHBOARD_PASSWORD: DASHBOARD_PASSWORD } } });

test.afterAll(() => {
  for (const socket of sockets) socket.close();
});

function connect(
  server: RunningServer,
  auth?: { apiKey: string },
  options: { transport?: "websocket" | "polling"; headers?: Record<string, string> } = {},
): Socket {
  const socket = io(server.url, {
    auth,
    transports: [options.transport ?? "websocket"],
    extraHeaders: options.headers,
    reconnection: false,
  });
  sockets.push(socket);
  return socket;
}

/** "connected", or the handshake's error message. */
function handshake(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    socket.on("connect", () => resolve("connected"));
    socket.on("connect_error", (error) => resolve(error.message));
  });
}

/** A raw WebSocket handshake on WAHA's /ws, as `curl -H 'Upgrade: websocket' ...` sends it. */
function rawHandshake(server: RunningServer, query: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${server.url}/ws?${query}`, {
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        ...headers,
      },
    });
    request.on("upgrade", (response, socket) => {
      socket.destroy();
      resolve({ status: response.statusCode ?? 0, body: "" });
    });
    request.on("response", (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on("error", reject);
    request.end();
  });
}

/** Collects every payload of `event` for later assertions. */
function record<T>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (payload: T) => seen.push(payload));
  return seen;
}

async function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test("a socket without credentials is refused", async ({ server }) => {
  for (const auth of [undefined, { apiKey: "wrong" }]) {
    const socket = connect(server, auth);
    const error = await new Promise<Error>((resolve) => socket.on("connect_error", resolve));
    expect(error.message).toBe("unauthorized");
  }
});

test("a subscribed socket sees status changes and every QR of a session driven by the double", async ({ double, server, api }) => {
  const socket = connect(server, { apiKey: server.apiKey });
  await new Promise<void>((resolve) => socket.on("connect", () => resolve()));
  const statuses = record<{ session: string; status: string; statuses: unknown[] }>(socket, "session.status");
  const qrs = record<{ session: string; value: string | null }>(socket, "session.qr");
  socket.emit("subscribe", { session: "live" });
  await new Promise((resolve) => setTimeout(resolve, 100));

  await api.post("/api/sessions", { name: "live" });
  await until(() => qrs.some((q) => q.value));
  const first = qrs.find((q) => q.value)!.value!;
  const raw = await api.get<{ value: string }>("/api/live/auth/qr?format=raw");
  expect(raw.body.value).toBe(first);
  expect(statuses.map((s) => s.status)).toEqual(["STARTING", "SCAN_QR_CODE"]);

  await double.rotate();
  await until(() => qrs.filter((q) => q.value).length >= 2);
  const second = qrs.filter((q) => q.value).at(-1)!.value!;
  expect(second).not.toBe(first);

  await double.scan(second, { user: "15550002222", pushname: "Live" });
  await until(() => statuses.some((s) => s.status === "WORKING"));
  expect(qrs.at(-1)?.value).toBeNull();
  expect(statuses.every((s) => s.session === "live")).toBe(true);
});

test("a socket subscribed to another session hears nothing of this one", async ({ server, api }) => {
  const socket = connect(server, { apiKey: server.apiKey });
  await new Promise<void>((resolve) => socket.on("connect", () => resolve()));
  const statuses = record<{ session: string }>(socket, "session.status");
  socket.emit("subscribe", { session: "elsewhere" });
  await new Promise((resolve) => setTimeout(resolve, 100));
  await api.post("/api/sessions/live/stop");
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(statuses).toEqual([]);
});

test("WAHA's raw /ws refuses a connection without the key", async ({ server }) => {
  const status = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/ws?session=*`);
    ws.on("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
    ws.on("open", () => resolve(101));
  });
  expect(status).toBe(401);
  const opened = await new Promise<boolean>((resolve) => {
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/ws?session=*&x-api-key=${server.apiKey}`);
    ws.on("open", () => {
      ws.close();
      resolve(true);
    });
    ws.on("error", () => resolve(false));
  });
  expect(opened).toBe(true);
});

test("a handshake with the dashboard's login cookie is let in from the dashboard's own origin only, on /ws and Socket.IO", async ({
  server,
}) => {
  const login = await attemptLogin(server, { password: DASHBOARD_PASSWORD });
  expect(login.status).toBe(200);
  const cookie = `next-auth.session-token=${login.jar["next-auth.session-token"]}`;
  const foreign: Record<string, string>[] = [
    { Origin: "http://evil.example" },
    { Origin: `http://127.0.0.1:${server.port + 1}` },
    // X-Forwarded-Host is believed from a trusted proxy only, and none is configured here.
    { Origin: "http://evil.example", "X-Forwarded-Host": "evil.example" },
  ];
  const own = { Origin: server.url };

  for (const headers of foreign) {
    const refused = await rawHandshake(server, "session=*", { Cookie: cookie, ...headers });
    expect(refused.status, JSON.stringify(headers)).toBe(401);
    expect(JSON.parse(refused.body)).toEqual({ statusCode: 401, error: "Unauthorized", message: "Unauthorized", code: "unauthorized" });
  }
  expect((await rawHandshake(server, "session=*", { Cookie: cookie, ...own })).status).toBe(101);

  for (const transport of ["websocket", "polling"] as const) {
    for (const headers of foreign) {
      const outcome = await handshake(connect(server, undefined, { transport, headers: { Cookie: cookie, ...headers } }));
      expect(outcome, `${transport} ${JSON.stringify(headers)}`).toBe("unauthorized");
    }
    expect(await handshake(connect(server, undefined, { transport, headers: { Cookie: cookie, ...own } }))).toBe("connected");
  }
});

test("a handshake with the API key is let in whatever its Origin", async ({ server }) => {
  const headers = { Origin: "http://evil.example" };
  expect((await rawHandshake(server, `session=*&x-api-key=${server.apiKey}`, headers)).status).toBe(101);
  expect(await handshake(connect(server, { apiKey: server.apiKey }, { headers }))).toBe("connected");
});
