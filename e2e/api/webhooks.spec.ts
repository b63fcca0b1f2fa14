import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { eventually } from "../support/api";
import { expect, test } from "../support/fixtures";

/** Webhooks through the real server to a real HTTP receiver on loopback. */

type Envelope = {
  id: string;
  timestamp: number;
  event: string;
  session: string;
  payload: { status?: string; event?: string; statuses: { status: string; reason: string | null }[]; data?: { test?: boolean } | null };
  environment: Record<string, unknown>;
};
type Received = { headers: http.IncomingHttpHeaders; body: string; json: Envelope };
type Delivery = { id: string; state: string; eventId: string; event: string; attempts: number };

/** A receiver that records every request and answers with `status` (503 plays "down"). */
async function startReceiver() {
  const received: Received[] = [];
  let status = 200;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      if (status === 200) received.push({ headers: req.headers, body, json: JSON.parse(body) });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    setStatus: (next: number) => (status = next),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let receiver: Awaited<ReturnType<typeof startReceiver>>;
const HMAC_KEY = "receiver-secret";

test.describe.configure({ mode: "serial" });
test.use({ serverOptions: { withDouble: true } });

const webhookConfig = () => ({
  metadata: { tenant: "acme" },
  webhooks: [
    {
      url: receiver.url,
      events: ["session.status"],
      hmac: { key: HMAC_KEY },
      customHeaders: [{ name: "X-Tenant", value: "acme" }],
      retries: { policy: "constant", delaySeconds: 0.2, attempts: 50 },
    },
  ],
});

test.beforeAll(async () => {
  receiver = await startReceiver();
});

test.afterAll(async () => {
  await receiver?.close();
});

/** The session's real status events (a test event is one too, marked in its data). */
const statusEvents = (session: string) =>
  receiver.received.filter((r) => r.json.event === "session.status" && r.json.session === session && r.json.payload?.data?.test !== true);

test("session.status reaches the receiver with WAHA's envelope, headers, HMAC and custom headers", async ({ api }) => {
  await api.post("/api/sessions", { name: "hooked", config: webhookConfig() });
  await eventually(
    async () => statusEvents("hooked").map((r) => r.json.payload.status),
    (s) => s.includes("SCAN_QR_CODE"),
  );
  const [first] = statusEvents("hooked");
  expect(Object.keys(first.json)).toEqual(["id", "timestamp", "event", "session", "metadata", "me", "payload", "engine", "environment"]);
  expect(first.json).toMatchObject({ event: "session.status", session: "hooked", metadata: { tenant: "acme" }, me: null, engine: "WEBJS" });
  expect(first.json.id).toMatch(/^evt_[0-9a-z]{26}$/);
  expect(first.json.payload).toMatchObject({ name: "hooked", status: "STARTING" });
  expect(first.json.payload.statuses.at(-1)).toMatchObject({ status: "STARTING", reason: "created" });
  expect(first.json.environment).toMatchObject({ engine: "WEBJS", worker: { id: null } });

  expect(first.headers["content-type"]).toBe("application/json");
  expect(first.headers["x-webhook-request-id"]).toBeTruthy();
  expect(first.headers["x-webhook-timestamp"]).toBe(String(first.json.timestamp));
  expect(first.headers["x-webhook-hmac-algorithm"]).toBe("sha512");
  expect(first.headers["x-webhook-hmac"]).toBe(createHmac("sha512", HMAC_KEY).update(first.body).digest("hex"));
  expect(first.headers["x-tenant"]).toBe("acme");
  expect(first.headers["user-agent"]).toMatch(/^Switchboard\//);
});

test("the delivery log lists what was sent; redeliver sends it again with the same request id", async ({ api }) => {
  const list = await eventually(
    async () => (await api.get<{ items: Delivery[]; total: number }>("/api/sessions/hooked/webhooks/deliveries")).body,
    (l) => l.items.length >= 2 && l.items.every((d) => d.state === "delivered"),
  );
  expect(list.total).toBe(list.items.length);
  const delivery = list.items.at(-1)!;
  const original = receiver.received.find((r) => r.json.id === delivery.eventId)!;
  const response = await api.post(`/api/sessions/hooked/webhooks/deliveries/${delivery.id}/redeliver`);
  expect(response.status).toBe(201);
  await eventually(
    async () => receiver.received.filter((r) => r.json.id === delivery.eventId).length,
    (n) => n === 2,
  );
  const again = receiver.received.filter((r) => r.json.id === delivery.eventId)[1];
  expect(again.body).toBe(original.body);
  expect(again.headers["x-webhook-request-id"]).toBe(original.headers["x-webhook-request-id"]);
  expect((await api.get("/api/sessions/hooked/webhooks/deliveries?state=bogus")).status).toBe(400);
});

test("send a test event to a webhook: an event it subscribed to, marked as a test; an unknown target is a 400 naming the field", async ({
  api,
}) => {
  const targets = await api.get<{ targets: unknown[] }>("/api/sessions/hooked/webhooks/test");
  expect(targets.status).toBe(200);
  // No global webhook is configured here, so the session's own is the only target.
  expect(targets.body.targets).toEqual([
    { webhook: 0, source: "session", index: 0, url: receiver.url, events: ["session.status"], event: "session.status", subscribed: true },
  ]);
  const response = await api.post<Delivery>("/api/sessions/hooked/webhooks/test", { webhook: 0 });
  expect(response.status).toBe(201);
  const test = await eventually(async () => receiver.received.find((r) => r.json.payload?.data?.test === true), Boolean);
  expect(test!.json).toMatchObject({ event: "session.status", session: "hooked", payload: { name: "hooked", data: { test: true } } });

  for (const webhook of [1, "global"]) {
    const refused = await api.post<{ details: { field: string; message: string }[] }>("/api/sessions/hooked/webhooks/test", { webhook });
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([{ field: "webhook", message: expect.any(String) }]);
  }
});

test("a receiver that is down, then up, gets every event", async ({ api }) => {
  receiver.setStatus(503);
  const before = statusEvents("hooked").length;
  await api.post("/api/sessions/hooked/stop");
  await api.post("/api/sessions/hooked/start");
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(statusEvents("hooked").length).toBe(before);
  receiver.setStatus(200);
  const arrived = await eventually(
    async () =>
      statusEvents("hooked")
        .slice(before)
        .map((r) => r.json.payload.status),
    (s) => s.includes("STOPPED") && s.includes("STARTING"),
  );
  expect(arrived).toContain("STOPPED");
});

test("kill -9 with deliveries pending, then restart: everything is delivered", async ({ server, api }) => {
  receiver.setStatus(503);
  await api.post("/api/sessions", { name: "crashy", start: false, config: webhookConfig() });
  for (let i = 0; i < 3; i++) {
    await api.post("/api/sessions/crashy/start");
    await api.post("/api/sessions/crashy/stop");
  }
  const pending = (await api.get<{ items: Delivery[] }>("/api/sessions/crashy/webhooks/deliveries?limit=100")).body.items;
  expect(pending.length).toBeGreaterThanOrEqual(6);
  expect(pending.every((d) => d.state !== "delivered")).toBe(true);

  await server.kill();
  receiver.setStatus(200);
  await server.start();
  await eventually(
    async () => new Set(statusEvents("crashy").map((r) => r.json.id)),
    (ids) => pending.every((d) => ids.has(d.eventId)),
    30_000,
  );
  // A receiver can hold an event a moment before its row says delivered (results are written in batches).
  await expect
    .poll(async () => {
      const after = (await api.get<{ items: Delivery[] }>("/api/sessions/crashy/webhooks/deliveries?limit=100")).body.items;
      return after.filter((d) => pending.some((p) => p.id === d.id)).every((d) => d.state === "delivered");
    })
    .toBe(true);
});
