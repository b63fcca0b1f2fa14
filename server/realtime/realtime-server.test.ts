import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { io, type Socket } from "socket.io-client";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TSubscriptionReply } from "@/lib/realtime-messages";
import { sampleDelivery } from "@/lib/sample-delivery";
import type { TWebhookDelivery } from "@/lib/webhook-delivery";
import type { EngineHost, HostListener, SessionSnapshot } from "../engines/engine-host";
import { RealtimeServer } from "./realtime-server";

const delivery = sampleDelivery({ session: "s1", signed: true, state: "in_flight" });

let http: Server;
let realtime: RealtimeServer;
let client: Socket;

afterEach(async () => {
  client?.close();
  await realtime?.close();
  await new Promise((resolve) => http?.close(resolve));
});

let others: Socket[] = [];

afterEach(() => {
  for (const other of others) other.close();
  others = [];
});

/** A RealtimeServer on a loopback port (no API key, no engines) and a connected Socket.IO client. */
async function start() {
  const logger = { error: vi.fn(), warn: vi.fn(), debug: vi.fn() };
  let hostListener: HostListener = () => {};
  http = createServer();
  realtime = new RealtimeServer({
    host: {
      subscribe: (listener: HostListener) => {
        hostListener = listener;
        return () => {};
      },
    } as unknown as EngineHost,
    apiKey: null,
    logger: logger as unknown as Logger,
  });
  realtime.attach(http);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const connect = async () => {
    const socket = io(url, { transports: ["websocket"], reconnection: false });
    await new Promise<void>((resolve) => socket.once("connect", resolve));
    return socket;
  };
  client = await connect();
  const subscribe = (request: unknown, socket = client) => socket.emitWithAck("subscribe", request) as Promise<TSubscriptionReply>;
  /** Another client, subscribed to `session`. */
  const another = async (session: string) => {
    const socket = await connect();
    others.push(socket);
    await subscribe({ session }, socket);
    return socket;
  };
  return { logger, subscribe, another, host: (event: Parameters<HostListener>[0]) => hostListener(event) };
}

function snapshot(health: { lastAt: number; failures: number }): SessionSnapshot {
  return {
    name: "s1",
    status: "WORKING",
    statuses: [],
    me: null,
    qr: null,
    data: null,
    presence: "offline",
    webVersion: "2.3000.1",
    health: {
      probe: {
        enabled: true,
        intervalMs: 1000,
        lastAt: health.lastAt,
        lastOkAt: health.lastAt,
        latencyMs: 2,
        state: "CONNECTED",
        suspect: null,
      },
      failures: health.failures,
      maxFailures: 10,
      gaveUp: false,
      restart: { backoffMs: 2000, maxBackoffMs: 300_000, at: null },
      lastFailure: null,
      lastDisconnect: null,
      pulse: { enabled: false, intervalMs: 0, onlineMs: 25_000, lastAt: null },
    },
  };
}

describe("RealtimeServer", () => {
  it("answers a subscribe, and refuses one that does not match its schema with the issues", async () => {
    const { logger, subscribe } = await start();
    expect(await subscribe({ session: "s1" })).toEqual({ ok: true });
    expect(await subscribe({ session: "no spaces" })).toEqual({ ok: false, issues: [expect.stringMatching(/^session: /)] });
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  it("sends { session, delivery }, and drops and logs a delivery that does not match its schema", async () => {
    const { logger, subscribe } = await start();
    const received: unknown[] = [];
    client.on("delivery.update", (message) => received.push(message));
    await subscribe({ session: "s1" });

    realtime.broadcastDelivery({ ...delivery, id: "dlv_bad", state: undefined } as unknown as TWebhookDelivery);
    realtime.broadcastDelivery(delivery);
    await vi.waitFor(() => expect(received).toHaveLength(1), { timeout: 5000 });
    expect(received).toEqual([{ session: "s1", delivery }]);
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error.mock.calls[0][0]).toEqual({
      message: "delivery.update",
      session: "s1",
      issues: [expect.stringMatching(/^delivery\.state: /)],
    });
  });

  it("sends every probe's health to the session's subscribers, and to * only when more than its times changed", async () => {
    const { subscribe, another, host } = await start();
    await subscribe({ session: "s1" });
    const everything = await another("*");
    const mine: number[] = [];
    const all: number[] = [];
    client.on("session.health", (message: { health: { probe: { lastAt: number } } }) => mine.push(message.health.probe.lastAt));
    everything.on("session.health", (message: { health: { probe: { lastAt: number } } }) => all.push(message.health.probe.lastAt));

    host({ type: "health", session: "s1", snapshot: snapshot({ lastAt: 1, failures: 0 }) });
    host({ type: "health", session: "s1", snapshot: snapshot({ lastAt: 2, failures: 0 }) });
    host({ type: "health", session: "s1", snapshot: snapshot({ lastAt: 3, failures: 1 }) });
    await vi.waitFor(() => expect(mine).toEqual([1, 2, 3]), { timeout: 5000 });
    await vi.waitFor(() => expect(all).toEqual([1, 3]), { timeout: 5000 });
  });
});
