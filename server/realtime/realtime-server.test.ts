import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { io, type Socket } from "socket.io-client";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TSubscriptionReply } from "@/lib/realtime-messages";
import { sampleDelivery } from "@/lib/sample-delivery";
import type { TWebhookDelivery } from "@/lib/webhook-delivery";
import type { EngineHost } from "../engines/engine-host";
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

/** A RealtimeServer on a loopback port (no API key, no engines) and a connected Socket.IO client. */
async function start() {
  const logger = { error: vi.fn(), warn: vi.fn(), debug: vi.fn() };
  http = createServer();
  realtime = new RealtimeServer({
    host: { subscribe: () => () => {} } as unknown as EngineHost,
    apiKey: null,
    logger: logger as unknown as Logger,
  });
  realtime.attach(http);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  client = io(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ["websocket"], reconnection: false });
  await new Promise<void>((resolve) => client.once("connect", resolve));
  const subscribe = (request: unknown) => client.emitWithAck("subscribe", request) as Promise<TSubscriptionReply>;
  return { logger, subscribe };
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
});
