import type { Server } from "node:http";
import { io, type Socket } from "socket.io-client";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TSubscriptionReply } from "@/lib/realtime-messages";
import { sampleDelivery } from "@/lib/sample-delivery";
import type { TWebhookDelivery } from "@/lib/webhook-delivery";
import { realtimeTestServer, sampleSnapshot } from "@/test/support/realtime-test-server";
import type { RealtimeServer } from "./realtime-server";

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
  const server = realtimeTestServer();
  ({ http, realtime } = server);
  const url = `http://127.0.0.1:${await server.listen()}`;
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
  return { logger: server.logger, subscribe, another, host: server.host };
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

    host({ type: "health", session: "s1", snapshot: sampleSnapshot({ lastAt: 1, failures: 0 }) });
    host({ type: "health", session: "s1", snapshot: sampleSnapshot({ lastAt: 2, failures: 0 }) });
    host({ type: "health", session: "s1", snapshot: sampleSnapshot({ lastAt: 3, failures: 1 }) });
    await vi.waitFor(() => expect(mine).toEqual([1, 2, 3]), { timeout: 5000 });
    await vi.waitFor(() => expect(all).toEqual([1, 3]), { timeout: 5000 });
  });
});
