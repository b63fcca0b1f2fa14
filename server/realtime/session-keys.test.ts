import type { Server } from "node:http";
import { io, type Socket } from "socket.io-client";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import { allActions, type TSessionActions } from "@/lib/api-keys";
import type { TEventEnvelope } from "@/lib/event-envelope";
import { realtimeTestServer, statusEnvelope } from "@/test/support/realtime-test-server";
import { ROOT_PRINCIPAL, type Principal } from "../keys/principals";
import type { RealtimeServer } from "./realtime-server";

/** Live channels with a session key: Socket.IO and WAHA's /ws hear that session only. */

const none: TSessionActions = { read: false, send: false, control: false, setting: false, app: false, delete: false };
const PRINCIPALS: Record<string, Principal> = {
  root: ROOT_PRINCIPAL,
  "s1-read": { kind: "session", keyId: "k1", session: "s1", actions: { ...none, read: true } },
  "s1-all": { kind: "session", keyId: "k2", session: "s1", actions: allActions() },
  "s1-control": { kind: "session", keyId: "k3", session: "s1", actions: { ...none, control: true } },
};

let http: Server;
let realtime: RealtimeServer;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await realtime?.close();
  await new Promise((resolve) => http?.close(resolve));
});

/** Keys revoked by a test: they resolve to nothing from then on. */
const revoked = new Set<string>();
afterEach(() => revoked.clear());

async function start() {
  const server = realtimeTestServer({
    keys: { resolve: async (key) => (key && !revoked.has(key) ? (PRINCIPALS[key] ?? null) : null) },
  });
  ({ http, realtime } = server);
  return server.listen();
}

/** A Socket.IO client with `apiKey`, connected or refused (the handshake's error message). */
async function socketWith(port: number, apiKey: string | undefined): Promise<Socket | string> {
  const socket = io(`http://127.0.0.1:${port}`, { transports: ["websocket"], reconnection: false, auth: apiKey ? { apiKey } : {} });
  cleanups.push(() => socket.close());
  return new Promise((resolve) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => resolve(error.message));
  });
}

/** A /ws client: the envelope ids it hears, or the HTTP status that refused it. */
async function rawWith(port: number, query: string): Promise<string[] | number> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws?${query}`);
  cleanups.push(() => socket.terminate());
  const received: string[] = [];
  socket.on("message", (data) => received.push((JSON.parse(String(data)) as TEventEnvelope).id));
  return new Promise((resolve) => {
    socket.once("open", () => resolve(received));
    socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
    socket.once("error", () => undefined);
  });
}

describe("live channels with a session key", () => {
  it("Socket.IO: `*` is the key's own session; another session is not found; a key without read or no key is refused", async () => {
    const port = await start();
    expect(await socketWith(port, undefined)).toBe("unauthorized");
    expect(await socketWith(port, "unknown")).toBe("unauthorized");
    expect(await socketWith(port, "s1-control")).toBe("forbidden");

    const scoped = (await socketWith(port, "s1-read")) as Socket;
    const admin = (await socketWith(port, "root")) as Socket;
    expect(await scoped.emitWithAck("subscribe", { session: "s2" })).toEqual({ ok: false, issues: ["session: Session 's2' not found"] });
    expect(await scoped.emitWithAck("subscribe", { session: "*" })).toEqual({ ok: true });
    expect(await admin.emitWithAck("subscribe", { session: "*" })).toEqual({ ok: true });
    const heard = { scoped: [] as string[], admin: [] as string[] };
    scoped.on("event", (message: TEventEnvelope) => heard.scoped.push(message.id));
    admin.on("event", (message: TEventEnvelope) => heard.admin.push(message.id));

    for (const [id, session] of [
      ["e1", "s1"],
      ["e2", "s2"],
      ["e3", "s1"],
      ["e4", "s3"],
    ]) {
      realtime.broadcastEnvelope(statusEnvelope(id, session));
    }
    await vi.waitFor(() => expect(heard.admin).toEqual(["e1", "e2", "e3", "e4"]), { timeout: 5000 });
    expect(heard.scoped).toEqual(["e1", "e3"]);
  });

  it("/ws: no session or `*` is the key's own session; another session answers 404; without read 403; no key 401", async () => {
    const port = await start();
    expect(await rawWith(port, "")).toBe(401);
    expect(await rawWith(port, "x-api-key=s1-control")).toBe(403);
    expect(await rawWith(port, "x-api-key=s1-all&session=s2")).toBe(404);
    const own = (await rawWith(port, "x-api-key=s1-all")) as string[];
    const star = (await rawWith(port, "x-api-key=s1-read&session=*")) as string[];
    const admin = (await rawWith(port, "x-api-key=root")) as string[];
    realtime.broadcastEnvelope(statusEnvelope("e1", "s2"));
    realtime.broadcastEnvelope(statusEnvelope("e2", "s1"));
    await vi.waitFor(() => expect(admin).toEqual(["e1", "e2"]), { timeout: 5000 });
    await vi.waitFor(() => expect([own, star]).toEqual([["e2"], ["e2"]]), { timeout: 5000 });
  });

  it("closes a connection within a second or two of its key's revocation; the root key's stays", async () => {
    const port = await start();
    const socket = (await socketWith(port, "s1-read")) as Socket;
    const admin = (await socketWith(port, "root")) as Socket;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?x-api-key=s1-all`);
    cleanups.push(() => ws.terminate());
    await new Promise((resolve) => ws.once("open", resolve));
    const closedWith = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    const disconnected = new Promise<string>((resolve) => socket.once("disconnect", (reason) => resolve(reason)));
    revoked.add("s1-read");
    revoked.add("s1-all");
    expect(await disconnected).toBe("io server disconnect");
    expect(await closedWith).toBe(4401);
    expect(admin.connected).toBe(true);
  });
});
