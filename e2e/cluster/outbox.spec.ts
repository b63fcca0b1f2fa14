import pg from "pg";
import { startReceiver, type Receiver } from "../../test/support/webhook-receiver";
import { expect, test } from "../support/cluster-fixtures";
import { waitFor, type Cluster } from "../support/cluster";

/**
 * The webhook outbox across workers (docs/cluster.md, "Outbox across workers") end to end: three workers
 * on the TEST ONLY fake engine, sessions sending numbered message events to one receiver, a `kill -9` of
 * the worker sending most of them mid-stream. The others adopt its deliveries: every event stored for the
 * receiver arrives, and the only repeats are deliveries the killed worker had in flight.
 */

test.use({ clusterOptions: { testEngine: "fake" } });

type Message = { seq: number; session: string; worker: string | null; process: string; at: number };
type Envelope = { id: string; event: string; payload: { event: string; data: Message } };

interface TSessionRow {
  name: string;
  status: string;
  assignedWorker: string | null;
}

/** A request the receiver got: its delivery (X-Webhook-Request-Id) and envelope. */
interface TArrival {
  delivery: string;
  envelope: Envelope;
}

// Seven, so that one worker runs more than the others (three of them with these names and three workers).
const NAMES = Array.from({ length: 7 }, (_, i) => `outbox-${i + 1}`);

let receiver: Receiver;
let releaser: NodeJS.Timeout;
/** While set, the receiver holds every request it gets. */
let holding = false;
let db: pg.Client | null = null;

test.beforeAll(async () => {
  // Answers come in batches every 150 ms, so each worker has deliveries in flight at any instant, as against a real receiver.
  receiver = await startReceiver(() => ({ status: 200, hang: true }));
  releaser = setInterval(() => holding || receiver.release({ status: 200, body: "ok" }), 150);
});

test.afterAll(async () => {
  clearInterval(releaser);
  await receiver.close();
  await db?.end();
});

function arrivals(): TArrival[] {
  return receiver.requests.map((request) => ({
    delivery: String(request.headers["x-webhook-request-id"]),
    envelope: JSON.parse(request.body.toString()) as Envelope,
  }));
}

function hook(): { url: string; events: string[] } {
  return { url: receiver.url, events: ["engine.event"] };
}

async function rowsOf(cluster: Cluster): Promise<TSessionRow[]> {
  const response = await cluster.api.get<TSessionRow[]>("/api/sessions?all=true");
  expect(response.status).toBe(200);
  return response.body.filter((row) => NAMES.includes(row.name));
}

/** Waits until every session is WORKING on a worker other than `notOn`; name -> owner. */
async function ownersOnceWorking(cluster: Cluster, notOn: string | null = null): Promise<Map<string, string>> {
  const rows = await waitFor(
    async () => {
      const rows = await rowsOf(cluster);
      const done =
        rows.length === NAMES.length && rows.every((row) => row.status === "WORKING" && row.assignedWorker && row.assignedWorker !== notOn);
      return done ? rows : null;
    },
    { timeoutMs: 30_000, intervalMs: 250, what: `every session WORKING${notOn ? ` on a worker other than ${notOn}` : ""}` },
  );
  return new Map(rows.map((row) => [row.name, row.assignedWorker!]));
}

test("kill -9 of the worker sending most webhooks mid-stream: the others adopt its deliveries, none is lost, repeats only of what it had in flight", async ({
  cluster,
}) => {
  for (const worker of cluster.workers) await cluster.waitUntilReady(worker);
  db = new pg.Client({ connectionString: cluster.databaseUrl });
  await db.connect();

  // Created stopped, then started: the start goes to the worker the placement picks, so the sessions spread.
  for (const name of NAMES) {
    const config = { metadata: { "fake.eventEveryMs": "100" }, webhooks: [hook()] };
    expect((await cluster.api.post("/api/sessions", { name, start: false, config })).status, `create ${name}`).toBe(201);
    expect((await cluster.api.post(`/api/sessions/${name}/start`)).status, `start ${name}`).toBeLessThan(300);
  }
  const owners = await ownersOnceWorking(cluster);
  const [most] = cluster.workers
    .map((worker) => ({ worker, sessions: [...owners.values()].filter((id) => id === worker.id).length }))
    .sort((a, b) => b.sessions - a.sessions);
  const victim = most.worker;

  // Mid-stream: every session's events are arriving, the victim's among them.
  await waitFor(() => NAMES.every((name) => arrivals().filter((a) => a.envelope.payload.data.session === name).length >= 20), {
    what: "20 events of every session at the receiver",
  });
  // Killed while the receiver holds a request of its: that delivery is surely in flight, its answer never read.
  holding = true;
  const heldFrom = receiver.requests.length;
  const held = await waitFor(
    () => {
      const fromVictim = arrivals()
        .slice(heldFrom)
        .filter((a) => a.envelope.payload.data.worker === victim.id);
      return fromVictim.length ? fromVictim.map((a) => a.delivery) : null;
    },
    { what: `a request from ${victim.id} held by the receiver` },
  );
  await cluster.kill9(victim);
  holding = false;
  // Right after the kill, before its lease lapses (nothing can be adopted before): the deliveries it left unfinished.
  const left = await db.query<{ id: string }>(
    `SELECT "id" FROM "WebhookDelivery" WHERE "worker" = $1 AND "state" IN ('pending', 'in_flight')`,
    [victim.id],
  );
  const lease = await db.query<{ live: boolean }>(
    `SELECT "leaseUntil" > (now() AT TIME ZONE 'UTC') AS "live" FROM "Worker" WHERE "id" = $1`,
    [victim.id],
  );
  expect(lease.rows[0]?.live, "its rows read before its lease lapsed").toBe(true);
  const unfinished = new Set(left.rows.map((row) => row.id));

  // Its sessions move; then every session is stopped, so no more events are made while the outbox drains.
  await ownersOnceWorking(cluster, victim.id);
  for (const name of NAMES) {
    await waitFor(async () => (await cluster.api.post(`/api/sessions/${name}/stop`)).status < 300, { what: `${name} stopped` });
  }
  await waitFor(
    async () => {
      const open = await db!.query<{ count: string }>(`SELECT count(*) FROM "WebhookDelivery" WHERE "state" IN ('pending', 'in_flight')`);
      return Number(open.rows[0].count) === 0;
    },
    { timeoutMs: 60_000, intervalMs: 250, what: "no pending or in_flight delivery left" },
  );

  const stored = await db.query<{ delivery: string; event: string; worker: string; state: string }>(
    `SELECT d."id" AS "delivery", d."eventId" AS "event", d."worker", d."state" FROM "WebhookDelivery" d WHERE d."url" = $1`,
    [receiver.url],
  );
  const got = arrivals();
  const arrived = new Set(got.map((a) => a.envelope.id));
  const lost = stored.rows.filter((row) => !arrived.has(row.event));
  const receipts = new Map<string, TArrival[]>();
  for (const arrival of got) receipts.set(arrival.delivery, [...(receipts.get(arrival.delivery) ?? []), arrival]);
  const repeated = [...receipts.entries()].filter(([, seen]) => seen.length > 1);
  const describe = ([delivery, seen]: [string, TArrival[]]) => {
    const { session, seq, worker } = seen[0].envelope.payload.data;
    return `${delivery} (${session} #${seq} from ${worker}) x${seen.length}`;
  };
  const adopted = stored.rows.filter((row) => unfinished.has(row.delivery));
  const summary =
    `${stored.rows.length} deliveries stored, ${got.length} requests received; killed ${victim.id} (${most.sessions} of ${NAMES.length} sessions) ` +
    `with ${unfinished.size} unfinished (${held.length} held by the receiver), adopted by ${[...new Set(adopted.map((row) => row.worker))].join(", ") || "nobody"}; ` +
    `lost ${lost.length}; repeated ${repeated.length}${repeated.length ? `: ${repeated.map(describe).join("; ")}` : ""}`;
  test.info().annotations.push({ type: "outbox", description: summary });
  console.log(`[outbox] ${summary}`);

  expect(stored.rows.length, "deliveries stored for the receiver").toBeGreaterThan(NAMES.length * 20);
  expect(
    got.some((a) => a.envelope.payload.data.worker === victim.id),
    "events of the killed worker arrived",
  ).toBe(true);
  expect(
    lost.map((row) => `${row.delivery} (${row.state})`),
    "stored events that never arrived",
  ).toEqual([]);
  expect(stored.rows.filter((row) => row.state !== "delivered").map((row) => `${row.delivery}: ${row.state}`)).toEqual([]);
  // The killed worker's unfinished rows were sent by the others.
  expect(adopted.filter((row) => row.worker === victim.id).map((row) => row.delivery)).toEqual([]);
  expect(adopted.length).toBe(unfinished.size);
  expect(unfinished.size, "deliveries the killed worker left unfinished").toBeGreaterThan(0);
  // At least once: a repeat only of a delivery the killed worker had not finished, and only once more.
  expect(repeated.filter(([delivery, seen]) => !unfinished.has(delivery) || seen.length > 2).map(describe)).toEqual([]);
  // The requests held at the kill were sent again by the adopter.
  expect(held.filter((delivery) => receipts.get(delivery)?.length !== 2)).toEqual([]);
});
