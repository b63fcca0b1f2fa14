import { startReceiver, type Receiver } from "../../test/support/webhook-receiver";
import { apiClient, eventually } from "../support/api";
import { expect, test } from "../support/fixtures";
import { processesMatching } from "../support/processes";

/**
 * The TEST ONLY engine (SWITCHBOARD_TEST_ENGINE=fake) in the built server, as the scale tests and
 * benchmarks run it: sessions without Chromium, WORKING at once, numbered `message` events at the pace of
 * their metadata. docs/configuration.md, "TEST ONLY".
 */

test.describe.configure({ mode: "serial" });
test.use({ serverOptions: { env: { SWITCHBOARD_TEST_ENGINE: "fake", WAHA_WORKER_ID: "w-fake" } } });

type Session = { name: string; status: string; me: { id: string; pushName: string | null } | null };
type Message = { seq: number; session: string; worker: string | null; process: string; at: number };

let receiver: Receiver;
test.beforeAll(async () => {
  receiver = await startReceiver();
});
test.afterAll(() => receiver.close());

test("sessions are WORKING at once without Chromium, each logged in as an account made from its name", async ({ server }) => {
  const api = apiClient(server);
  expect(server.output()).toContain("TEST ONLY: SWITCHBOARD_TEST_ENGINE=fake");
  const names = Array.from({ length: 30 }, (_, i) => `fake-${i}`);
  for (const name of names) expect((await api.post("/api/sessions", { name })).status).toBe(201);

  const listed = await eventually(
    async () => (await api.get<Session[]>("/api/sessions?all=true")).body,
    (sessions) => sessions.length === names.length && sessions.every((s) => s.status === "WORKING"),
  );
  expect(new Set(listed.map((s) => s.me?.id)).size).toBe(names.length);
  expect(listed.every((s) => s.me?.pushName === s.name)).toBe(true);
  expect(processesMatching(`${server.dataDir}/sessions`)).toEqual([]);

  const screenshot = await fetch(`${server.url}/api/screenshot?session=fake-0`, { headers: { "X-Api-Key": server.apiKey } });
  expect([screenshot.status, screenshot.headers.get("content-type")]).toEqual([200, "image/png"]);
  expect((await api.get("/api/fake-0/auth/qr")).status).toBe(422);
  expect((await api.post<Session>("/api/sessions/fake-0/stop")).body.status).toBe("STOPPED");
});

test("message events reach a webhook numbered per session, none lost or repeated", async ({ server }) => {
  const api = apiClient(server);
  const names = ["paced-a", "paced-b", "paced-c"];
  for (const name of names) {
    const config = { metadata: { "fake.eventEveryMs": "50" }, webhooks: [{ url: receiver.url, events: ["engine.event"] }] };
    expect((await api.post("/api/sessions", { name, config })).status).toBe(201);
  }
  const messages = () =>
    receiver.requests
      .map((request) => JSON.parse(request.body.toString()) as { event: string; payload: { event: string; data: Message } })
      .filter((envelope) => envelope.event === "engine.event" && envelope.payload.event === "message")
      .map((envelope) => envelope.payload.data);
  const seqs = (name: string) =>
    messages()
      .filter((m) => m.session === name)
      .map((m) => m.seq);
  await eventually(
    async () => names.map((name) => seqs(name).length),
    (counts) => counts.every((count) => count >= 10),
  );
  for (const name of names) expect((await api.post(`/api/sessions/${name}/stop`)).status).toBe(201);

  // Deliveries run concurrently: wait until each session's numbers have no gap, then look for repeats.
  for (const name of names) {
    const settled = await eventually(
      async () => [...seqs(name)].sort((a, b) => a - b),
      (sorted) => sorted.every((seq, i) => seq === i + 1),
    );
    expect(new Set(settled).size).toBe(settled.length);
  }
  expect(new Set(messages().map((m) => `${m.worker}/${m.process}`)).size).toBe(1);
  expect(messages()[0]!.worker).toBe("w-fake");
});
